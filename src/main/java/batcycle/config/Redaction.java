package batcycle.config;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What never leaves batcycle in clear text: credentials in a URL's userinfo and the values of secret-looking keys.
 * One rule for every place that shows configuration ({@code /config}, the status page, {@code batcycle check}).
 */
public final class Redaction {
  /** Written in place of a secret, in configuration output and in the request log. */
  public static final String REDACTED = "[redacted]";
  private static final Pattern SECRET_KEY = Pattern.compile("(secret|password|token|credential)(?!Headers)",
      Pattern.CASE_INSENSITIVE);
  private static final Pattern URL_USERINFO = Pattern.compile("(?<=://)[^/@]+@");

  private Redaction() {}

  /** The value of configuration key {@code path} as it may be shown. */
  public static String configValue(String path, String value) {
    if (SECRET_KEY.matcher(path).find()) {
      return value.isEmpty() ? value : REDACTED;
    }
    // http://user:password@host must never be shown, even though batcycle does not use the userinfo.
    return URL_USERINFO.matcher(value).replaceAll(Matcher.quoteReplacement(REDACTED + "@"));
  }
}
