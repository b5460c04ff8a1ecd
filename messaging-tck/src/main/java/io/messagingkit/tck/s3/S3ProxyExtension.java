package io.messagingkit.tck.s3;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.TransientApiMetadata;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * An S3-compatible server for tests: S3Proxy on an in-memory (jclouds {@code transient}) blob
 * store, started once per JVM on a free loopback port, with AWS signature V2/V4 authentication and
 * presigned URLs. Each test gets a fresh, empty bucket ({@link #bucket()}), deleted after it.
 *
 * <pre>{@code
 * @RegisterExtension static final S3ProxyExtension S3 = new S3ProxyExtension();
 * ... S3Client.builder().endpointOverride(S3.endpoint()).forcePathStyle(true) ...
 * }</pre>
 *
 * <p>Buckets must be addressed path-style ({@code http://127.0.0.1:port/bucket/key}).
 */
public final class S3ProxyExtension implements BeforeEachCallback, AfterEachCallback {
  /** The access key S3Proxy accepts. */
  public static final String ACCESS_KEY = "messagingkit-test";

  /** The secret key S3Proxy accepts. */
  public static final String SECRET_KEY = "messagingkit-test-secret";

  /** The region to sign requests for (S3Proxy accepts any). */
  public static final String REGION = "us-east-1";

  private final List<String> buckets = new ArrayList<>();
  private @Nullable String bucket;

  /** The server's endpoint, e.g. {@code http://127.0.0.1:41234}; starts the server if needed. */
  public URI endpoint() {
    return Server.INSTANCE.endpoint;
  }

  /** The empty bucket of the current test. */
  public String bucket() {
    String b = bucket;
    if (b == null) {
      throw new IllegalStateException("no test is running: register the extension on the class");
    }
    return b;
  }

  /** Creates one more empty bucket for the current test; deleted after it. */
  public String newBucket() {
    String name = "mk-" + UUID.randomUUID().toString().substring(0, 13).toLowerCase(Locale.ROOT);
    Server.INSTANCE.blobStore.createContainerInLocation(null, name);
    buckets.add(name);
    return name;
  }

  /** Whether the bucket exists (for tests of bucket creation). */
  public boolean bucketExists(String name) {
    return Server.INSTANCE.blobStore.containerExists(name);
  }

  /** Deletes a bucket and everything in it, if it exists. */
  public void deleteBucket(String name) {
    if (Server.INSTANCE.blobStore.containerExists(name)) {
      Server.INSTANCE.blobStore.deleteContainer(name);
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    bucket = newBucket();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    for (String b : buckets) {
      deleteBucket(b);
    }
    buckets.clear();
    bucket = null;
  }

  /** The single server of this JVM, started on first use, stopped at JVM exit. */
  private static final class Server {
    static final Server INSTANCE = new Server();

    final BlobStoreContext context;
    final BlobStore blobStore;
    final S3Proxy proxy;
    final URI endpoint;

    private Server() {
      context =
          // by metadata, not by id: an id lookup loads every provider, and S3Proxy's Azure one
          // needs the Azure SDK, which the TCK leaves out
          ContextBuilder.newBuilder(new TransientApiMetadata())
              .credentials("identity", "credential")
              .build(BlobStoreContext.class);
      blobStore = context.getBlobStore();
      proxy =
          S3Proxy.builder()
              .blobStore(blobStore)
              .endpoint(URI.create("http://127.0.0.1:0"))
              .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
              .build();
      try {
        proxy.start();
      } catch (Exception e) {
        throw new IllegalStateException("S3Proxy did not start", e);
      }
      if (!"STARTED".equals(proxy.getState())) {
        throw new IllegalStateException("S3Proxy is " + proxy.getState() + " after start()");
      }
      endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      proxy.stop();
                    } catch (Exception ignored) {
                      // the JVM is exiting
                    }
                    context.close();
                  },
                  "s3proxy-stop"));
    }
  }
}
