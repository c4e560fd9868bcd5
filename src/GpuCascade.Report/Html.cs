using System.Globalization;
using System.Text;
using System.Text.Json;
using GpuCascade.Reporting;

namespace GpuCascade.Report;

/// <summary>How a number is shown: for people (80.3M, 10.79%), while the element keeps the exact JSON number.</summary>
internal enum Unit
{
    /// <summary>USD with k/M/B/T and three significant digits (as the CLI's summary).</summary>
    Usd,
    /// <summary>A fraction as a percentage with two decimals.</summary>
    Percent,
    /// <summary>A ratio with three decimals and "x" (amplification).</summary>
    Ratio,
    /// <summary>Leverage: one decimal and "x".</summary>
    Leverage,
    /// <summary>An integer with thousands separators.</summary>
    Count,
    /// <summary>An integer with separators, else six significant digits (a calibrated margin, a volatility).</summary>
    Plain,
    /// <summary>Basis points, up to two decimals.</summary>
    BasisPoints,
    /// <summary>A test statistic: two decimals.</summary>
    Statistic,
    /// <summary>A p-value: three decimals.</summary>
    PValue,
}

/// <summary>HTML text: escaping, numbers that carry their JSON pointer, tables.</summary>
internal static class Html
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Escapes text for an element or a double-quoted attribute.</summary>
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var sb = new StringBuilder(text.Length + 16);
        foreach (char c in text)
            sb.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => c.ToString(),
            });
        return sb.ToString();
    }

    public static string Format(double v, Unit unit)
    {
        if (double.IsInfinity(v)) return v > 0 ? "inf" : "-inf"; // a varied "no limit"; results write no infinities
        if (!double.IsFinite(v)) return "n/a";
        return unit switch
        {
            Unit.Usd => SummaryTable.Usd(v),
            Unit.Percent => SummaryTable.Pct(v),
            Unit.Ratio => v.ToString("0.000", Inv) + "x",
            Unit.Leverage => v.ToString("0.0", Inv) + "x",
            Unit.Count => v.ToString("N0", Inv),
            Unit.BasisPoints => v.ToString("0.##", Inv),
            Unit.Statistic => v.ToString("0.00", Inv),
            Unit.PValue => v.ToString("0.000", Inv),
            _ => Plain(v),
        };
    }

    /// <summary>Integers (a fund, a price, a count) with separators, also where float noise in the last digits hides
    /// one (16300.000000000002 shows as 16,300); other numbers to six significant digits.</summary>
    private static string Plain(double v)
    {
        double shown = IsInteger(v) ? v : Rounded(v);
        if (IsInteger(shown)) return shown.ToString("N0", Inv);
        // Six significant digits, written out rather than in exponent notation where that stays short (0.000045, not 4.5E-05).
        string g = shown.ToString("G6", Inv);
        return g.Contains('E', StringComparison.Ordinal) && Math.Abs(shown) >= 1e-9 && Math.Abs(shown) < 1e15
            ? ((decimal)double.Parse(g, NumberStyles.Float, Inv)).ToString(Inv) : g;

        static bool IsInteger(double x) => x == Math.Round(x) && Math.Abs(x) < 1e15;
    }

    /// <summary><paramref name="v"/> to 12 significant digits: what a scenario's number means, without the noise of
    /// the arithmetic that made it (16300.000000000002 is 16300).</summary>
    public static double Rounded(double v) =>
        double.IsFinite(v) ? double.Parse(v.ToString("G12", Inv), NumberStyles.Float, Inv) : v;

    /// <summary>A JSON number as people read it in a compact JSON value: an integer literal as written (a seed keeps
    /// every digit), any other number at 12 significant digits in its shortest form (<c>16300</c> for
    /// 16300.000000000002, <c>0.1</c> for 0.10000000000000002).</summary>
    public static string JsonNumber(JsonElement number)
    {
        string raw = number.GetRawText();
        if (raw.AsSpan().IndexOfAny('.', 'e', 'E') < 0) return raw;
        return Rounded(number.GetDouble()).ToString("R", Inv);
    }

    /// <summary>A number shown for people, with <c>data-json</c> (the JSON pointer), <c>data-value</c> (the exact
    /// number, round-trip format) and <c>data-doc</c> (which document); null in the JSON shows as n/a without
    /// <c>data-value</c>.</summary>
    public static string Number(Field f, Unit unit)
    {
        double v = f.Number;
        return double.IsFinite(v)
            ? $"<span data-json=\"{Escape(f.Pointer)}\" data-value=\"{v.ToString("R", Inv)}\" data-doc=\"{f.Doc}\">{Escape(Format(v, unit))}</span>"
            : $"<span data-json=\"{Escape(f.Pointer)}\" data-doc=\"{f.Doc}\">{Format(v, unit)}</span>";
    }

    /// <summary>A price relative to the start (1 at the start) shown as its change from the start (-4.70% for 0.953), the
    /// change <see cref="SeriesSection.PriceChange"/> gives the fan charts too; <c>data-value</c> keeps the JSON's number
    /// and <c>data-shown="change"</c> says that the text is that number minus one.</summary>
    public static string Change(Field f)
    {
        double v = f.Number;
        return double.IsFinite(v)
            ? $"<span data-json=\"{Escape(f.Pointer)}\" data-value=\"{v.ToString("R", Inv)}\" data-doc=\"{f.Doc}\" data-shown=\"change\">{Escape(Format(SeriesSection.PriceChange(v), Unit.Percent))}</span>"
            : $"<span data-json=\"{Escape(f.Pointer)}\" data-doc=\"{f.Doc}\">n/a</span>";
    }

    /// <summary>A string (or a seed, a flag) from the JSON, escaped, with its pointer and document.</summary>
    public static string Text(Field f, string element = "span") =>
        $"<{element} data-json=\"{Escape(f.Pointer)}\" data-doc=\"{f.Doc}\">{Escape(f.Text)}</{element}>";

    /// <summary><c>[lower, upper]</c>, each bound with its pointer (n/a where the JSON has null: no bound).</summary>
    public static string Interval(Field? lower, Field? upper, Unit unit) =>
        $"<span class=\"ci\">[{(lower is { } l ? Number(l, unit) : "n/a")}, {(upper is { } u ? Number(u, unit) : "n/a")}]</span>";

    /// <summary>An estimate object <c>{estimate, lower, upper}</c> as "value [lower, upper]" cells.</summary>
    public static string[] Figure(Field f, Unit unit) => [Number(f["estimate"], unit), Interval(f["lower"], f["upper"], unit)];

    /// <summary>A table: the first <paramref name="textColumns"/> columns are text (left), the others numbers (right).
    /// Cells are HTML already.</summary>
    public static void Table(StringBuilder sb, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, int textColumns = 1,
        string? caption = null, string? cssClass = null)
    {
        sb.Append("<div class=\"table-wrap\"><table").Append(cssClass is null ? "" : $" class=\"{cssClass}\"").Append('>');
        if (caption is not null) sb.Append("<caption>").Append(caption).Append("</caption>");
        sb.Append("<thead><tr>");
        for (int i = 0; i < headers.Count; i++)
            sb.Append(i < textColumns ? "<th>" : "<th class=\"num\">").Append(headers[i]).Append("</th>");
        sb.Append("</tr></thead><tbody>");
        foreach (var row in rows)
        {
            sb.Append("<tr>");
            for (int i = 0; i < row.Count; i++)
                sb.Append(i < textColumns ? "<td>" : "<td class=\"num\">").Append(row[i]).Append("</td>");
            sb.Append("</tr>");
        }
        sb.Append("</tbody></table></div>");
    }

    /// <summary>Headline cards: each a label, its value and a line under it (both HTML).</summary>
    public static void Cards(StringBuilder sb, IEnumerable<(string Label, string Value, string Detail)> cards)
    {
        sb.Append("<div class=\"kpis\">");
        foreach (var (label, value, detail) in cards)
            sb.Append($"<div class=\"kpi\"><div class=\"kpi-label\">{Escape(label)}</div><div class=\"kpi-value\">{value}</div><div class=\"kpi-ci\">{detail}</div></div>");
        sb.Append("</div>");
    }

    /// <summary>A two-column table of facts: name, value (HTML).</summary>
    public static void Facts(StringBuilder sb, IEnumerable<(string Name, string Value)> facts, string? cssClass = "facts")
    {
        sb.Append("<div class=\"table-wrap\"><table class=\"").Append(cssClass).Append("\"><tbody>");
        foreach (var (name, value) in facts)
            sb.Append("<tr><th scope=\"row\">").Append(Escape(name)).Append("</th><td>").Append(value).Append("</td></tr>");
        sb.Append("</tbody></table></div>");
    }

    /// <summary>The pointer-safe, id-safe form of a name: lower-case letters, digits and dashes.</summary>
    public static string Slug(string text)
    {
        var sb = new StringBuilder();
        foreach (char c in text.ToLowerInvariant())
            if (c is >= 'a' and <= 'z' or >= '0' and <= '9') sb.Append(c);
            else if (sb.Length > 0 && sb[^1] != '-') sb.Append('-');
        return sb.ToString().Trim('-') is { Length: > 0 } s ? s : "x";
    }
}
