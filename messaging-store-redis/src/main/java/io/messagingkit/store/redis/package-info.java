/** The session registry and presence on Redis (Jedis). */
@NullMarked
package io.messagingkit.store.redis;

import org.jspecify.annotations.NullMarked;
