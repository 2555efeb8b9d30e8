package batcycle.inject;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * A YAML mapping as parsed, edited in place: keys keep their order and the comments attached to them, and a new key
 * goes last. Reads never create anything; the {@code ...OrCreate} methods do.
 */
final class YamlMap {
  private final MappingNode node;

  YamlMap(MappingNode node) {
    this.node = node;
  }

  static Optional<YamlMap> of(Node node) {
    return node instanceof MappingNode mapping ? Optional.of(new YamlMap(mapping)) : Optional.empty();
  }

  static YamlMap create() {
    return new YamlMap(new MappingNode(Tag.MAP, new ArrayList<>(), FlowStyle.BLOCK));
  }

  /** A string scalar; the emitter quotes it where YAML would read it as something else ("true", "8000"). */
  static ScalarNode string(String value) {
    return new ScalarNode(Tag.STR, value, ScalarStyle.PLAIN);
  }

  static ScalarNode number(int value) {
    return new ScalarNode(Tag.INT, Integer.toString(value), ScalarStyle.PLAIN);
  }

  static SequenceNode sequence() {
    return new SequenceNode(Tag.SEQ, new ArrayList<>(), FlowStyle.BLOCK);
  }

  MappingNode node() {
    return node;
  }

  Optional<Node> get(String key) {
    return tuple(key).map(NodeTuple::getValueNode);
  }

  boolean has(String key) {
    return tuple(key).isPresent();
  }

  Optional<YamlMap> map(String key) {
    return get(key).flatMap(YamlMap::of);
  }

  Optional<SequenceNode> sequence(String key) {
    return get(key).filter(SequenceNode.class::isInstance).map(SequenceNode.class::cast);
  }

  /** The mappings of the sequence under {@code key} (other items skipped); empty when there is none. */
  List<YamlMap> maps(String key) {
    List<YamlMap> maps = new ArrayList<>();
    sequence(key).ifPresent(seq -> seq.getValue().forEach(item -> of(item).ifPresent(maps::add)));
    return maps;
  }

  /** The scalar under {@code key}, as written (a number's digits too); empty when absent, null or not a scalar. */
  Optional<String> text(String key) {
    return get(key).filter(n -> n instanceof ScalarNode && !n.getTag().equals(Tag.NULL))
        .map(n -> ((ScalarNode) n).getValue());
  }

  YamlMap mapOrCreate(String key) {
    Optional<YamlMap> existing = map(key);
    if (existing.isPresent()) {
      return existing.get();
    }
    YamlMap created = create();
    put(key, created.node());
    return created;
  }

  SequenceNode sequenceOrCreate(String key) {
    Optional<SequenceNode> existing = sequence(key);
    if (existing.isPresent()) {
      return existing.get();
    }
    SequenceNode created = sequence();
    put(key, created);
    return created;
  }

  /**
   * Sets {@code key}: an existing key keeps its place, its comments and, for a new plain scalar, its quoting; a new
   * key goes last.
   */
  void put(String key, Node value) {
    List<NodeTuple> tuples = node.getValue();
    for (int i = 0; i < tuples.size(); i++) {
      if (isKey(tuples.get(i), key)) {
        Node old = tuples.get(i).getValueNode();
        if (old instanceof ScalarNode was && value instanceof ScalarNode now && now.isPlain() && !was.isPlain()) {
          value = new ScalarNode(now.getTag(), now.getValue(), was.getScalarStyle());
        }
        tuples.set(i, new NodeTuple(tuples.get(i).getKeyNode(), value));
        return;
      }
    }
    tuples.add(new NodeTuple(string(key), value));
  }

  /** Adds a key with its key node as given (its comments included), last. */
  void add(NodeTuple tuple) {
    node.getValue().add(tuple);
  }

  /** Adds a key just before {@code next}, or last when there is no {@code next}. */
  void addBefore(String next, NodeTuple tuple) {
    List<NodeTuple> tuples = node.getValue();
    for (int i = 0; i < tuples.size(); i++) {
      if (isKey(tuples.get(i), next)) {
        tuples.add(i, tuple);
        return;
      }
    }
    tuples.add(tuple);
  }

  /** The keys that are scalars, in order. */
  List<String> keys() {
    return node.getValue().stream().map(NodeTuple::getKeyNode).filter(ScalarNode.class::isInstance)
        .map(k -> ((ScalarNode) k).getValue()).toList();
  }

  Optional<NodeTuple> tuple(String key) {
    return node.getValue().stream().filter(t -> isKey(t, key)).findFirst();
  }

  void remove(String key) {
    node.getValue().removeIf(t -> isKey(t, key));
  }

  private static boolean isKey(NodeTuple tuple, String key) {
    return tuple.getKeyNode() instanceof ScalarNode scalar && scalar.getValue().equals(key);
  }
}
