/** The {@link io.messagingkit.core.port.MediaStore} on Amazon S3 and S3-compatible stores. */
@NullMarked
package io.messagingkit.media.s3;

import org.jspecify.annotations.NullMarked;
