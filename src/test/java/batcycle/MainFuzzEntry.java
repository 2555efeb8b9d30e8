package batcycle;

import java.io.PrintStream;
import java.util.Map;

/** Lets the fuzz tests in {@code batcycle.fuzz} run the package-private {@link Main#run} (only ever with check). */
public final class MainFuzzEntry {
  private MainFuzzEntry() {}

  /** {@code batcycle check ARGS}: validates and prints, never starts anything; returns the exit code. */
  public static int check(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    String[] withCheck = new String[args.length + 1];
    withCheck[0] = "check";
    System.arraycopy(args, 0, withCheck, 1, args.length);
    return Main.run(withCheck, env, out, err);
  }
}
