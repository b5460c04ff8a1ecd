/**
 * A {@link io.messagingkit.core.port.MessageBus} on Apache Kafka: {@link
 * io.messagingkit.broker.kafka.KafkaMessageBus}.
 */
@NullMarked
package io.messagingkit.broker.kafka;

import org.jspecify.annotations.NullMarked;
