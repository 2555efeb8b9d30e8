package batcycle.inject;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.api.lowlevel.Present;
import org.snakeyaml.engine.v2.api.lowlevel.Serialize;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Kubernetes YAML in and out, as node trees that keep comments, key order, quoting and flow style. What is not
 * kept: indentation (written as two spaces, list items indented under their key, as kubectl's examples do) and the
 * exact position of a comment at the very end of a nested block, which may move to the next line up.
 */
final class Manifests {
  /** Lines of only spaces: the emitter indents the blank lines it keeps. */
  private static final Pattern BLANK_INDENT = Pattern.compile("(?m)^ +$");

  private Manifests() {}

  /** Every document of {@code text}; {@code source} names it in a syntax error. */
  static List<Node> parse(String text, String source) {
    LoadSettings settings = LoadSettings.builder().setParseComments(true).setLabel(source).build();
    List<Node> documents = new ArrayList<>();
    try {
      for (Node document : new Compose(settings).composeAllFromString(text)) {
        documents.add(document);
      }
    } catch (YamlEngineException e) {
      throw new InjectException(source + ": not valid YAML: " + e.getMessage().strip().replace('\n', ' '));
    }
    return documents;
  }

  static String write(List<Node> documents) {
    DumpSettings settings = DumpSettings.builder().setDumpComments(true)
        .setIndent(2).setIndicatorIndent(2).setIndentWithIndicator(true)
        .setWidth(Integer.MAX_VALUE).setSplitLines(false)
        .setExplicitStart(documents.size() > 1).build();
    String text = new Present(settings).emitToString(new Serialize(settings).serializeAll(documents).iterator());
    // A block scalar never ends a line in spaces (the emitter picks another style then), so these are only the
    // indentation of blank lines.
    text = BLANK_INDENT.matcher(text).replaceAll("");
    // The emitter leaves the last line open after an in-line comment.
    return text.endsWith("\n") ? text : text + "\n";
  }
}
