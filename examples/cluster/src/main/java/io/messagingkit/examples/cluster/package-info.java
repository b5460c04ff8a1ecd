/** A clustered messagingkit deployment on one machine: {@link ClusterApp}. */
@NullMarked
package io.messagingkit.examples.cluster;

import org.jspecify.annotations.NullMarked;
