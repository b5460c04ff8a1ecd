/**
 * A real single-node KRaft Kafka broker for tests and local clusters: {@link
 * io.messagingkit.tck.kafka.KafkaBroker} runs {@code org.apache.kafka:kafka_2.13} in a child JVM;
 * {@link io.messagingkit.tck.kafka.KafkaBrokerExtension} shares one per test JVM. Users add {@code
 * kafka_2.13} (the broker) and {@code kafka-clients} to their test classpath themselves.
 */
@NullMarked
package io.messagingkit.tck.kafka;

import org.jspecify.annotations.NullMarked;
