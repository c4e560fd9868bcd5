using System.Text;
using ScottPlot;

namespace GpuCascade.Report;

/// <summary>The page being written and its charts: each chart goes inline as SVG where it is added, and is kept for
/// PNG output under a name unique in the report.</summary>
internal sealed class ReportBuilder
{
    public StringBuilder Html { get; } = new();
    public List<ReportChart> Charts { get; } = [];

    /// <summary>Put before every chart name of the current document when the report has several (<c>doc2-</c>).</summary>
    public string ChartPrefix { get; set; } = "";

    /// <summary>Adds a chart: a <c>figure</c> with <c>data-chart</c>, the inline SVG and the caption.</summary>
    public void Chart(string name, string caption, Plot plot, int width = 760, int height = 380)
    {
        string unique = ChartPrefix + Report.Html.Slug(name);
        for (int n = 2; Charts.Any(c => c.Name == unique); n++) unique = $"{ChartPrefix}{Report.Html.Slug(name)}-{n}";
        var chart = new ReportChart(unique, caption, plot, width, height);
        Html.Append("<figure class=\"chart\" data-chart=\"").Append(unique).Append("\">")
            .Append(chart.InlineSvg($"c{Charts.Count + 1}-"))
            .Append("<figcaption>").Append(Report.Html.Escape(caption)).Append("</figcaption></figure>");
        Charts.Add(chart);
    }

    public ReportBuilder Append(string html)
    {
        Html.Append(html);
        return this;
    }

    /// <summary>A heading with an anchor; the text is escaped.</summary>
    public void Heading(int level, string text, string? id = null) =>
        Html.Append($"<h{level}{(id is null ? "" : $" id=\"{id}\"")}>").Append(Report.Html.Escape(text)).Append($"</h{level}>");

    /// <summary>A paragraph of escaped text.</summary>
    public void Note(string text, string cssClass = "note") =>
        Html.Append($"<p class=\"{cssClass}\">").Append(Report.Html.Escape(text)).Append("</p>");
}
