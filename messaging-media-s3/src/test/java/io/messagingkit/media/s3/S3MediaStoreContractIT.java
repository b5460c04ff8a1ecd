package io.messagingkit.media.s3;

import io.messagingkit.core.port.MediaStore;
import io.messagingkit.tck.MediaStoreContract;
import io.messagingkit.tck.s3.S3ProxyExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The S3 store, on an in-process S3Proxy, passes the MediaStore contract. */
class S3MediaStoreContractIT extends MediaStoreContract {

  @RegisterExtension static final S3ProxyExtension S3 = new S3ProxyExtension();

  private final List<S3MediaStore> stores = new ArrayList<>();

  @Override
  protected MediaStore createStore(Duration urlExpiry, long maxObjectBytes) {
    S3MediaStore store =
        S3MediaStore.builder(S3.bucket())
            .endpoint(S3.endpoint())
            .region(S3ProxyExtension.REGION)
            .credentials(S3ProxyExtension.ACCESS_KEY, S3ProxyExtension.SECRET_KEY)
            .pathStyle(true)
            .keyPrefix("media/")
            .urlExpiry(urlExpiry)
            .maxObjectBytes(maxObjectBytes)
            .build();
    stores.add(store);
    return store;
  }

  /**
   * S3Proxy 2.6 ignores {@code If-None-Match} on PUT (real S3 answers 412), so the replay itself
   * succeeds here; the contract still proves the sealed object is what downloads return.
   */
  @Override
  protected boolean refusesReplayedUpload() {
    return false;
  }

  @AfterEach
  void closeStores() {
    stores.forEach(S3MediaStore::close);
  }
}
