/**
 * Object storage for segments that leave the local disk: the {@link io.vectorflow.storage.object.ObjectStore}
 * interface (whole-object writes, ranged reads, listing, deletion) and its local-directory
 * implementation; the S3-compatible one lives in the {@code tier-s3} module.
 */
package io.vectorflow.storage.object;
