using System.Globalization;
using System.Text.RegularExpressions;
using ScottPlot;

namespace GpuCascade.Report;

/// <summary>
/// One chart of the report, drawn by ScottPlot: inlined in the HTML as an <c>&lt;svg&gt;</c> inside
/// <c>&lt;figure data-chart="NAME"&gt;</c>, and written as NAME.png by <see cref="HtmlReport.WritePlots"/>.
/// </summary>
public sealed partial class ReportChart
{
    private readonly Plot _plot;

    internal ReportChart(string name, string caption, Plot plot, int width, int height)
    {
        Name = name;
        Caption = caption;
        _plot = plot;
        Width = width;
        Height = height;
    }

    /// <summary>A stable name, lower case with dashes (<c>bad-debt-histogram</c>): the <c>data-chart</c> attribute and the
    /// PNG's file name.</summary>
    public string Name { get; }

    /// <summary>The caption under the chart (plain text).</summary>
    public string Caption { get; }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Writes the chart as a PNG of <see cref="Width"/> x <see cref="Height"/> pixels.</summary>
    public void SavePng(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        _plot.SavePng(path, Width, Height);
    }

    /// <summary>The chart as PNG bytes.</summary>
    internal byte[] PngBytes() => _plot.GetImageBytes(Width, Height, ImageFormat.Png);

    /// <summary>The chart as an SVG element to inline in HTML: no XML declaration and no namespace declarations (HTML
    /// needs neither), ids renamed <paramref name="prefix"/>1, 2, ... so that several charts on one page never share one,
    /// a viewBox so that it scales, and a font stack behind ScottPlot's font.</summary>
    internal string InlineSvg(string prefix)
    {
        string svg = _plot.GetSvgXml(Width, Height);
        svg = XmlDeclaration().Replace(svg, "");
        svg = Namespace().Replace(svg, "");
        // ScottPlot numbers its clip paths with a process-wide counter: renumbered per chart, the page is the same
        // for the same documents whichever process draws it (and unique when several charts share it).
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match m in Id().Matches(svg)) ids.TryAdd(m.Groups[1].Value, string.Create(CultureInfo.InvariantCulture, $"{prefix}{ids.Count + 1}"));
        string Renamed(string id) => ids.TryGetValue(id, out var renamed) ? renamed : prefix + id;
        svg = Id().Replace(svg, m => $"id=\"{Renamed(m.Groups[1].Value)}\"");
        svg = UrlReference().Replace(svg, m => $"url(#{Renamed(m.Groups[1].Value)})");
        svg = HrefReference().Replace(svg, m => $"{m.Groups[1].Value}=\"#{Renamed(m.Groups[2].Value)}\"");
        svg = FontFamily().Replace(svg, m => $"font-family=\"{m.Groups[1].Value}, 'DejaVu Sans', 'Liberation Sans', Arial, Helvetica, sans-serif\"");
        int open = svg.IndexOf("<svg", StringComparison.Ordinal);
        if (open < 0) throw new InvalidOperationException("ScottPlot returned no <svg> element");
        string attributes = string.Create(CultureInfo.InvariantCulture,
            $"<svg viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"{Html.Escape(Caption)}\"");
        return attributes + svg[(open + 4)..].Trim();
    }

    [GeneratedRegex(@"^\s*<\?xml[^>]*\?>\s*")]
    private static partial Regex XmlDeclaration();

    [GeneratedRegex(@"\s+xmlns(:\w+)?=""[^""]*""")]
    private static partial Regex Namespace();

    [GeneratedRegex(@"\bid=""([^""]+)""")]
    private static partial Regex Id();

    [GeneratedRegex(@"url\(#([^)]+)\)")]
    private static partial Regex UrlReference();

    [GeneratedRegex(@"((?:xlink:)?href)=""#([^""]+)""")]
    private static partial Regex HrefReference();

    [GeneratedRegex(@"font-family=""([^""]*)""")]
    private static partial Regex FontFamily();
}
