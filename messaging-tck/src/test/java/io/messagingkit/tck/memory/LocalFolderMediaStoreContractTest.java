package io.messagingkit.tck.memory;

import io.messagingkit.core.memory.LocalFolderMediaStore;
import io.messagingkit.core.port.MediaStore;
import io.messagingkit.tck.MediaStoreContract;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The local folder store, served by the JDK HTTP server, passes the MediaStore contract. */
class LocalFolderMediaStoreContractTest extends MediaStoreContract {

  private static LocalMediaHttpServer http;

  @TempDir Path folder;

  @BeforeAll
  static void startServer() {
    http = new LocalMediaHttpServer();
  }

  @AfterAll
  static void stopServer() {
    http.close();
  }

  @Override
  protected MediaStore createStore(Duration urlExpiry, long maxObjectBytes) {
    LocalFolderMediaStore store =
        LocalFolderMediaStore.builder(folder, http.baseUri())
            .urlExpiry(urlExpiry)
            .maxObjectBytes(maxObjectBytes)
            .build();
    // every store on this test's folder shares its signing key, so any of them serves all URLs
    http.mount(store.httpHandler());
    return store;
  }
}
