package dev.lethe.schemas.registry;

import org.apache.avro.Schema;

/**
 * One version of a subject in a schema registry: the subject, its version number, the registry-global id
 * and the Avro schema.
 *
 * @param subject subject name, e.g. {@code lethe.checkpoints-value}
 * @param version version within the subject, from 1
 * @param id      registry-global schema id (the one in the wire format)
 * @param schema  the parsed Avro schema
 */
public record RegisteredSchema(String subject, int version, int id, Schema schema) {
}
