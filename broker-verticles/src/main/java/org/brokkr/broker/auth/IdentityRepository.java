package org.brokkr.broker.auth;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.Optional;
import java.util.UUID;
import org.brokkr.codecs.Identity;
import org.brokkr.codecs.Pak;

/** Resolves a PAK hash to its identity: admin, then agents, then generators (indexed lookups). */
public final class IdentityRepository {
  private static final String RESOLVE = """
      SELECT 0 AS rank, NULL::uuid AS id, pak_hash FROM (SELECT pak_hash FROM admin_role ORDER BY created_at, id LIMIT 1) a
       WHERE a.pak_hash = $1
      UNION ALL
      SELECT 1, id, pak_hash FROM agents
       WHERE pak_hash = $1 AND deleted_at IS NULL AND pak_hash IS NOT NULL AND pak_hash <> ''
      UNION ALL
      SELECT 2, id, pak_hash FROM generators
       WHERE pak_hash = $1 AND deleted_at IS NULL AND pak_hash IS NOT NULL
      ORDER BY rank
      LIMIT 1""";

  private final Pool pool;

  public IdentityRepository(Pool pool) {
    this.pool = pool;
  }

  public Future<Optional<Identity>> resolve(String hash) {
    return pool.preparedQuery(RESOLVE).execute(Tuple.of(hash)).map(rows -> {
      for (Row row : rows) {
        if (!Pak.sameHash(row.getString("pak_hash"), hash)) {
          continue;
        }
        UUID id = row.getUUID("id");
        return Optional.of(switch (row.getInteger("rank")) {
          case 0 -> Identity.ADMIN;
          case 1 -> Identity.agent(id);
          default -> Identity.generator(id);
        });
      }
      return Optional.empty();
    });
  }
}
