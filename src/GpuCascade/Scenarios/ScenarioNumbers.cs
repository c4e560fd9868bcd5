using System.Globalization;

namespace GpuCascade.Scenarios;

/// <summary>
/// Number parsing and formatting for scenarios. YAML 1.1 parsers disagree on <c>1e9</c> and <c>.inf</c>,
/// so scalars are parsed here, in the invariant culture, the same way for YAML and JSON.
/// </summary>
internal static class ScenarioNumbers
{
    private const double MaxExactInteger = 9007199254740992.0; // 2^53

    public static bool TryParseDouble(string text, out double value)
    {
        string t = text.Trim();
        switch (t.ToLowerInvariant())
        {
            case ".inf" or "+.inf" or "inf" or "+inf" or "infinity" or "+infinity":
                value = double.PositiveInfinity;
                return true;
            case "-.inf" or "-inf" or "-infinity":
                value = double.NegativeInfinity;
                return true;
            case ".nan" or "nan":
                value = double.NaN;
                return true;
        }
        return double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>An integer written plainly (<c>200000</c>) or in float notation with an integral value (<c>2e5</c>).</summary>
    public static bool TryParseInteger(string text, long min, long max, out long value)
    {
        string t = text.Trim();
        if (long.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value))
            return value >= min && value <= max;
        if (TryParseDouble(t, out double d) && Math.Abs(d) <= MaxExactInteger && d == Math.Floor(d)
            && d >= min && d <= max)
        {
            value = (long)d;
            return true;
        }
        return false;
    }

    public static bool TryParseUInt64(string text, out ulong value)
    {
        string t = text.Trim();
        if (ulong.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out value)) return true;
        if (TryParseDouble(t, out double d) && d >= 0 && d <= MaxExactInteger && d == Math.Floor(d))
        {
            value = (ulong)d;
            return true;
        }
        return false;
    }

    /// <summary>A value in a message: shortest round-trip text (0.2, 5E+07, Infinity, NaN).</summary>
    public static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A value as a scenario file writes it: round-trip digits, and <c>.inf</c>, <c>-.inf</c>, <c>.nan</c>.</summary>
    public static string Text(double value) =>
        double.IsFinite(value) ? value.ToString("R", CultureInfo.InvariantCulture) : double.IsNaN(value) ? ".nan" : value > 0 ? ".inf" : "-.inf";

    /// <summary>Money in a message, in scientific notation (9.0e7).</summary>
    public static string Money(double value) => value.ToString("0.0##e0", CultureInfo.InvariantCulture);

    /// <summary>A rate as a percentage with three significant digits (5%, 0.5%, 4.76%).</summary>
    public static string Percent(double rate) => (rate * 100).ToString("G3", CultureInfo.InvariantCulture) + "%";
}
