package batcycle.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a record as one section of the YAML file: {@code @Section("pool")} on {@code PoolConfig(int maxConnections,
 * ...)} holds the key {@code pool.maxConnections}. The loader binds each component to the key of the same name, and
 * {@link Violations#of} checks each against that key's declared range.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface Section {
  /** The section's name in YAML, the part of its keys' paths before the last dot. */
  String value();
}
