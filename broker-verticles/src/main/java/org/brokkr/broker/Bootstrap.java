package org.brokkr.broker;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Files;
import java.nio.file.Path;
import org.brokkr.broker.config.BrokerConfig;
import org.brokkr.codecs.Pak;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First-run and every-run provisioning, serialized across replicas by an advisory lock: the admin
 * credential (never a built-in default), the {@code admin-generator} and the system generator.
 */
final class Bootstrap {
  private static final Logger LOG = LoggerFactory.getLogger(Bootstrap.class);
  private static final String FIRST_RUN = "SELECT count(*) FROM app_initialization";
  private static final String MARK_INITIALIZED = "INSERT INTO app_initialization DEFAULT VALUES";
  private static final String ADMIN_GENERATOR = """
      INSERT INTO generators (name, description) SELECT 'admin-generator', 'Linked to Admin PAK'
       WHERE NOT EXISTS (SELECT 1 FROM generators WHERE name = 'admin-generator' AND deleted_at IS NULL)""";
  private static final String SYSTEM_GENERATOR = """
      INSERT INTO generators (name, description, is_system)
      SELECT '__system__', 'System generator — reserved for fleet-management stacks', TRUE
       WHERE NOT EXISTS (SELECT 1 FROM generators WHERE is_system AND deleted_at IS NULL)
      RETURNING id""";
  private static final String REGISTER_ALL = """
      INSERT INTO agent_generator_registrations (agent_id, generator_id)
      SELECT a.id, $1 FROM agents a WHERE a.deleted_at IS NULL
      ON CONFLICT (agent_id, generator_id) DO NOTHING""";

  private Bootstrap() {}

  /** What the admin credential step did, for the startup log. */
  enum AdminOutcome { CONFIGURED, MINTED, KEPT, KEPT_WITHOUT_FILE }

  static Future<AdminOutcome> run(Vertx vertx, Pool pool, BrokerConfig config) {
    Pak.Minted minted = Pak.mint(config.pakFormat());
    return pool.withTransaction(conn -> conn.query(AdminCredential.LOCK).execute()
        .compose(v -> conn.query(FIRST_RUN).execute())
        .compose(rows -> rows.iterator().next().getLong(0) == 0
            ? conn.query(MARK_INITIALIZED).execute().map(true)
            : Future.succeededFuture(false))
        .compose(firstRun -> AdminCredential.upsert(conn, config.adminPakHash(), minted.hash(), false))
        .map(result -> switch (result.outcome()) {
          case CONFIGURED -> AdminOutcome.CONFIGURED;
          case MINTED -> AdminOutcome.MINTED;
          case KEPT -> AdminOutcome.KEPT;
        })
        .compose(outcome -> conn.query(ADMIN_GENERATOR).execute()
            .compose(v -> systemGenerator(conn))
            .map(outcome)))
        .compose(outcome -> {
          if (outcome == AdminOutcome.CONFIGURED) {
            return Future.succeededFuture(outcome);
          }
          return vertx.executeBlocking(() -> {
            if (outcome == AdminOutcome.MINTED) {
              AdminCredential.writeKeyFile(Path.of(config.adminPakFile()), minted.pak());
            } else if (config.embedded() && !Files.exists(Path.of(config.adminPakFile()))) {
              return AdminOutcome.KEPT_WITHOUT_FILE;
            }
            return outcome;
          });
        })
        .onSuccess(outcome -> {
          switch (outcome) {
            case CONFIGURED -> LOG.info("admin PAK hash taken from BROKKR__BROKER__PAK_HASH");
            case MINTED -> LOG.info("minted the admin PAK; it was written to {} (mode 0600)", config.adminPakFile());
            case KEPT -> LOG.info("admin PAK unchanged (stored hash kept)");
            case KEPT_WITHOUT_FILE -> LOG.warn("admin PAK unchanged, but the admin PAK file {} is missing and the PAK is"
                + " not stored anywhere else; to regain admin access, run `java -jar brokkr-broker.jar rotate admin` (it"
                + " mints a new admin PAK and writes it there), or `generate-pak` and restart with BROKKR__BROKER__PAK_HASH"
                + " set to the hash it prints", config.adminPakFile());
          }
        });
  }

  private static Future<Void> systemGenerator(SqlConnection conn) {
    return conn.query(SYSTEM_GENERATOR).execute().compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture();
      }
      LOG.info("provisioned the system generator");
      return conn.preparedQuery(REGISTER_ALL).execute(Tuple.of(rows.iterator().next().getUUID("id"))).mapEmpty();
    });
  }
}
