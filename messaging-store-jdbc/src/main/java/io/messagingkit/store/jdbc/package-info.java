/**
 * JDBC adapters (JDBI 3, HikariCP, Flyway) for the storage ports: {@link
 * io.messagingkit.store.jdbc.JdbcOfflineStore}, {@link
 * io.messagingkit.store.jdbc.JdbcIdempotencyStore}, {@link
 * io.messagingkit.store.jdbc.JdbcGroupDirectory}, {@link
 * io.messagingkit.store.jdbc.JdbcMessageArchive}, {@link
 * io.messagingkit.store.jdbc.JdbcDeviceDirectory} and {@link
 * io.messagingkit.store.jdbc.JdbcContactGraph}, on PostgreSQL (and Aurora PostgreSQL),
 * MySQL/MariaDB (and Aurora MySQL) and H2. {@link io.messagingkit.store.jdbc.JdbcStores} builds all
 * of them from one pool and applies the schema migrations shipped in this jar.
 */
@NullMarked
package io.messagingkit.store.jdbc;

import org.jspecify.annotations.NullMarked;
