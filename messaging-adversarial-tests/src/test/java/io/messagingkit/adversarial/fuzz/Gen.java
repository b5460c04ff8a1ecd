package io.messagingkit.adversarial.fuzz;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * A generator of values from a {@link SplittableRandom}: the same seed gives the same values, so a
 * fuzz failure replays exactly from the seed it prints. The combinators cover what the frame
 * grammar needs; each generator over a range also picks that range's edges (bounds, 0, ±1, empty
 * and longest strings) now and then, because bugs live there.
 *
 * @param <T> the type of the generated values
 */
@FunctionalInterface
interface Gen<T> {
  /** How often, out of 100, a range generator picks an edge instead of a uniform value. */
  int EDGE_PERCENT = 10;

  /** Characters that break naive text handling (surrogate halves, bidi, joiners, controls). */
  char[] EDGE_CHARS = {
    '\u0000', '\u0001', '\u001f', '\u007f', '"', '\\', '<', '\u00e9', '\u0301', '\u200b', '\u200d',
    '\u202e', '\ufeff', '\ufffe', '\uffff', '\ud800', '\udbff', '\udc00', '\udfff', '\u3042'
  };

  T next(SplittableRandom random);

  default <R> Gen<R> map(Function<? super T, ? extends R> f) {
    return random -> f.apply(next(random));
  }

  /** This generator's values as {@code Object}, to mix with others of other types. */
  default Gen<Object> asObject() {
    return random -> next(random);
  }

  static <T> Gen<T> just(T value) {
    return random -> value;
  }

  /** One of the given values, each equally likely. */
  @SafeVarargs
  static <T> Gen<T> of(T... values) {
    return of(Arrays.asList(values));
  }

  /** One of the given values, each equally likely. */
  static <T> Gen<T> of(List<T> values) {
    List<T> copy = new ArrayList<>(values);
    if (copy.isEmpty()) {
      throw new IllegalArgumentException("of() needs at least one value");
    }
    return random -> copy.get(random.nextInt(copy.size()));
  }

  /** A value of one of the given generators, each equally likely. */
  static <T> Gen<T> oneOf(List<? extends Gen<? extends T>> gens) {
    List<Gen<? extends T>> copy = new ArrayList<>(gens);
    if (copy.isEmpty()) {
      throw new IllegalArgumentException("oneOf() needs at least one generator");
    }
    return random -> copy.get(random.nextInt(copy.size())).next(random);
  }

  /**
   * A value of one of the given generators, each chosen in proportion to its weight: {@code
   * frequencyOf(60, a, 35, b, 5, c)} (alternating positive {@code Integer} weights and generators).
   */
  @SuppressWarnings("unchecked")
  static <T> Gen<T> frequencyOf(Object... weightsAndGens) {
    if (weightsAndGens.length == 0 || weightsAndGens.length % 2 != 0) {
      throw new IllegalArgumentException("frequencyOf() needs weight, generator pairs");
    }
    int n = weightsAndGens.length / 2;
    int[] cumulative = new int[n];
    List<Gen<? extends T>> gens = new ArrayList<>(n);
    int total = 0;
    for (int i = 0; i < n; i++) {
      int weight = (Integer) weightsAndGens[2 * i];
      if (weight <= 0) {
        throw new IllegalArgumentException("frequencyOf() weight must be positive: " + weight);
      }
      total += weight;
      cumulative[i] = total;
      gens.add((Gen<? extends T>) weightsAndGens[2 * i + 1]);
    }
    int sum = total;
    return random -> {
      int pick = random.nextInt(sum);
      int i = 0;
      while (pick >= cumulative[i]) {
        i++;
      }
      return gens.get(i).next(random);
    };
  }

  /** Booleans, each equally likely. */
  static Gen<Boolean> booleans() {
    return SplittableRandom::nextBoolean;
  }

  /** Integers in {@code [min, max]}, with the bounds, 0 and ±1 (when in range) as edges. */
  static Gen<Integer> ints(int min, int max) {
    return longs(min, max).map(Long::intValue);
  }

  /** Longs in {@code [min, max]}, with the bounds, 0 and ±1 (when in range) as edges. */
  static Gen<Long> longs(long min, long max) {
    if (min > max) {
      throw new IllegalArgumentException("longs(" + min + ", " + max + "): min > max");
    }
    List<Long> edges = new ArrayList<>(List.of(min, max));
    for (long e : new long[] {0, 1, -1}) {
      if (e >= min && e <= max) {
        edges.add(e);
      }
    }
    return random -> {
      if (random.nextInt(100) < EDGE_PERCENT) {
        return edges.get(random.nextInt(edges.size()));
      }
      if (max < Long.MAX_VALUE) {
        return random.nextLong(min, max + 1);
      }
      if (min > Long.MIN_VALUE) {
        return random.nextLong(min - 1, max) + 1;
      }
      return random.nextLong();
    };
  }

  /** Doubles in {@code [min, max]}, with both bounds as edges. */
  static Gen<Double> doubles(double min, double max) {
    return random -> {
      if (random.nextInt(100) < EDGE_PERCENT) {
        return random.nextBoolean() ? min : max;
      }
      return min + random.nextDouble() * (max - min);
    };
  }

  /** Any char of the BMP, surrogate halves included, with {@link #EDGE_CHARS} as edges. */
  static Gen<Character> anyChar() {
    return random -> {
      int pick = random.nextInt(100);
      if (pick < EDGE_PERCENT) {
        return EDGE_CHARS[random.nextInt(EDGE_CHARS.length)];
      }
      if (pick < 55) {
        return (char) random.nextInt(0x20, 0x7f); // printable ASCII: reaches JSON's syntax
      }
      return (char) random.nextInt(Character.MAX_VALUE + 1);
    };
  }

  /** Chars drawn from the given alphabet, each equally likely. */
  static Gen<Character> chars(String alphabet) {
    if (alphabet.isEmpty()) {
      throw new IllegalArgumentException("chars() needs a non-empty alphabet");
    }
    return random -> alphabet.charAt(random.nextInt(alphabet.length()));
  }

  /** ASCII letters. */
  String ALPHA = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

  /** ASCII letters and digits. */
  String ALPHANUMERIC = ALPHA + "0123456789";

  /**
   * Strings of {@code min} to {@code max} chars of {@code alphabet}; the shortest and the longest
   * are edges.
   */
  static Gen<String> strings(int min, int max, Gen<Character> alphabet) {
    Gen<Integer> length = ints(min, max);
    return random -> {
      int n = length.next(random);
      StringBuilder s = new StringBuilder(n);
      for (int i = 0; i < n; i++) {
        s.append(alphabet.next(random).charValue());
      }
      return s.toString();
    };
  }

  /**
   * Strings of {@code min} to {@code max} chars of {@code alphabet} or, one time in ten (when their
   * length fits), one of the unicode edge cases ({@code edges}).
   */
  static Gen<String> strings(int min, int max, Gen<Character> alphabet, List<String> edges) {
    List<String> fitting =
        edges.stream().filter(e -> e.length() >= min && e.length() <= max).toList();
    Gen<String> plain = strings(min, max, alphabet);
    if (fitting.isEmpty()) {
      return plain;
    }
    return frequencyOf(90, plain, 10, of(fitting));
  }

  /** Byte arrays of {@code 0} to {@code max} bytes. */
  static Gen<byte[]> bytes(int max) {
    Gen<Integer> length = ints(0, max);
    return random -> {
      byte[] b = new byte[length.next(random)];
      for (int i = 0; i < b.length; i++) {
        b[i] = (byte) random.nextInt(256);
      }
      return b;
    };
  }

  /** Lists of {@code 0} to {@code max} values of {@code element}. */
  static <T> Gen<List<T>> lists(Gen<? extends T> element, int max) {
    Gen<Integer> size = ints(0, max);
    return random -> {
      int n = size.next(random);
      List<T> out = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        out.add(element.next(random));
      }
      return out;
    };
  }

  /** Maps of {@code 0} to {@code max} entries (fewer when keys repeat), in generation order. */
  static <K, V> Gen<Map<K, V>> maps(Gen<? extends K> keys, Gen<? extends V> values, int max) {
    Gen<Integer> size = ints(0, max);
    return random -> {
      int n = size.next(random);
      Map<K, V> out = new LinkedHashMap<>();
      for (int i = 0; i < n; i++) {
        out.put(keys.next(random), values.next(random));
      }
      return out;
    };
  }

  /** One value of each generator, in order. */
  static Gen<List<Object>> combine(List<? extends Gen<?>> gens) {
    List<Gen<?>> copy = List.copyOf(gens);
    return random -> {
      List<Object> out = new ArrayList<>(copy.size());
      for (Gen<?> g : copy) {
        out.add(g.next(random));
      }
      return out;
    };
  }

  /** A value built from one value of each generator. */
  static <A, B, R> Gen<R> combine(
      Gen<? extends A> a, Gen<? extends B> b, java.util.function.BiFunction<A, B, R> f) {
    return random -> f.apply(a.next(random), b.next(random));
  }

  /** A value built from one value of each generator. */
  static <A, B, C, R> Gen<R> combine(
      Gen<? extends A> a, Gen<? extends B> b, Gen<? extends C> c, Function3<A, B, C, R> f) {
    return random -> f.apply(a.next(random), b.next(random), c.next(random));
  }

  /** A function of three arguments, for {@link #combine(Gen, Gen, Gen, Function3)}. */
  @FunctionalInterface
  interface Function3<A, B, C, R> {
    R apply(A a, B b, C c);
  }
}
