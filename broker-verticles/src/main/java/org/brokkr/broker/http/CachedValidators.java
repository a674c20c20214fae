package org.brokkr.broker.http;

import io.vertx.core.file.FileSystem;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.SchemaException;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.json.schema.Validator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The contract's schema repository, keeping the validator it builds for each schema. The request
 * validation asks the repository for a validator per parameter and body on every request, and
 * each new one copies the repository's whole schema map (hundreds of entries: most of the CPU and
 * about 350 KB of garbage per request, measured on the target-state poll). The parameter and body
 * schemas are built once with the contract, so one validator per schema object is kept; a
 * validator holds only immutable state, and each validation keeps its own. Everything else goes to
 * the repository as is. At most {@link #MAX} validators are kept: a schema object made per request
 * would only cost the copies it cost before.
 */
final class CachedValidators implements SchemaRepository {
  static final int MAX = 4_096;

  private final SchemaRepository repository;
  /** By identity: the schemas are the contract's own objects. */
  private final Map<Identity, Validator> validators = new ConcurrentHashMap<>();

  CachedValidators(SchemaRepository repository) {
    this.repository = repository;
  }

  private record Identity(JsonSchema schema) {
    @Override
    public boolean equals(Object other) {
      return other instanceof Identity id && id.schema == schema;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(schema);
    }
  }

  @Override
  public Validator validator(JsonSchema schema) {
    Identity key = new Identity(schema);
    Validator known = validators.get(key);
    if (known != null) {
      return known;
    }
    if (validators.size() >= MAX) {
      validators.clear();
    }
    return validators.computeIfAbsent(key, k -> repository.validator(schema));
  }

  @Override
  public SchemaRepository dereference(JsonSchema schema) throws SchemaException {
    repository.dereference(schema);
    return this;
  }

  @Override
  public SchemaRepository dereference(String uri, JsonSchema schema) throws SchemaException {
    repository.dereference(uri, schema);
    return this;
  }

  @Override
  public SchemaRepository preloadMetaSchema(FileSystem fs) {
    repository.preloadMetaSchema(fs);
    return this;
  }

  @Override
  public SchemaRepository preloadMetaSchema(FileSystem fs, Draft draft) {
    repository.preloadMetaSchema(fs, draft);
    return this;
  }

  @Override
  public Validator validator(String ref) {
    return repository.validator(ref);
  }

  @Override
  public Validator validator(String ref, JsonSchemaOptions options) {
    return repository.validator(ref, options);
  }

  @Override
  public Validator validator(JsonSchema schema, JsonSchemaOptions options, boolean dereference) {
    return repository.validator(schema, options, dereference);
  }

  @Override
  public JsonObject resolve(JsonObject schema) {
    return repository.resolve(schema);
  }

  @Override
  public JsonSchema find(String uri) {
    return repository.find(uri);
  }
}
