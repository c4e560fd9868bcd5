using System.Globalization;
using System.Text;
using GpuCascade.Operations;
using ScottPlot;

namespace GpuCascade.Report;

/// <summary>
/// The HTML report of one or more results (<c>gpucascade report</c>, <c>run --report</c>): one self-contained file, plain
/// HTML and inline CSS with the charts as inline SVG (no script, no external file, no network), readable by a risk
/// committee and checkable by a quant: every number shown carries the JSON pointer it came from (<c>data-json</c>, with
/// <c>data-doc</c> naming the document) and the exact value (<c>data-value</c>, round-trip format).
/// </summary>
/// <example>
/// <code>
/// var report = HtmlReport.Build([ReportInput.FromFile("result.json")], ReportInput.FromFile("series.json"));
/// report.Write("report.html");
/// report.WritePlots("plots");   // bad-debt-histogram.png, bad-debt-exceedance.png, ...
/// </code>
/// </example>
public sealed class HtmlReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private HtmlReport(string html, IReadOnlyList<ReportChart> charts)
    {
        Html = html;
        Charts = charts;
    }

    /// <summary>The whole page.</summary>
    public string Html { get; }

    /// <summary>The charts, in page order; their names are unique in the report.</summary>
    public IReadOnlyList<ReportChart> Charts { get; }

    /// <summary>The report's page as a string (see <see cref="Build"/>).</summary>
    public static string Render(IReadOnlyList<ReportInput> results, ReportInput? series = null) => Build(results, series).Html;

    /// <summary>
    /// Builds the report of <paramref name="results"/> (run, calibrate, compare and backtest results, in that order on the page as
    /// given), each in its own section; two or more run results also get a table of their headline figures side by side.
    /// A <paramref name="series"/> (<c>run --series FILE.json</c>) goes with the first run result of the same paths and
    /// steps. A <see cref="ReportException"/> names the document that is unreadable, of an unknown kind or incomplete.
    /// </summary>
    public static HtmlReport Build(IReadOnlyList<ReportInput> results, ReportInput? series = null)
    {
        ArgumentNullException.ThrowIfNull(results);
        if (results.Count == 0) throw new ReportException("no result to report: give at least one JSON result");
        var documents = new List<ReportDocument>();
        try
        {
            foreach (var input in results)
            {
                var d = ReportDocument.Open(input, documents.Count);
                documents.Add(d);
                if (d.Kind == DocumentKind.Series)
                    throw new ReportException($"{input.Source}: is a series (run --series), not a result; give it as the series (--series)");
            }
            ReportDocument? seriesDocument = null;
            if (series is not null)
            {
                seriesDocument = ReportDocument.Open(series, documents.Count);
                documents.Add(seriesDocument);
                if (seriesDocument.Kind != DocumentKind.Series)
                    throw new ReportException($"{series.Source}: is {ReportDocument.Describe(seriesDocument.Kind)}, not a series (run --series FILE.json)");
            }
            var resultDocuments = documents.Where(d => d != seriesDocument).ToList();
            var seriesOwner = seriesDocument is null ? null : Owner(seriesDocument, resultDocuments);
            return Page(resultDocuments, seriesDocument, seriesOwner);
        }
        finally
        {
            foreach (var d in documents) d.Dispose();
        }
    }

    /// <summary>The run result a series belongs to: the first of the same paths, steps and assets and, where the series
    /// names them (every series written since they were added), the same seed and scenario SHA-256; a series of another
    /// run is refused rather than drawn under the wrong headline.</summary>
    private static ReportDocument Owner(ReportDocument series, List<ReportDocument> results)
    {
        var runs = results.Where(d => d.Kind == DocumentKind.Run).ToList();
        var seriesIdentity = Identity(series.Root, series.Root.Optional("seed"), series.Root.Optional("scenarioSha256"));
        foreach (var run in runs)
        {
            var runIdentity = Identity(run.Root, run.Root.Optional("seed"), run.Root.Optional("manifest")?.Optional("scenarioSha256"));
            if (seriesIdentity.Shape == runIdentity.Shape &&
                (seriesIdentity.Seed is null || seriesIdentity.Seed == runIdentity.Seed) &&
                (seriesIdentity.Sha is null || seriesIdentity.Sha == runIdentity.Sha))
                return run;
        }
        throw new ReportException($"{series.Source}: is the series of {Describe(seriesIdentity)}, which matches no run result given" +
                                  (runs.Count == 0 ? " (there is none)" : $" ({string.Join("; ", runs.Select(r => $"{r.Source}: {Describe(Identity(r.Root, r.Root.Optional("seed"), r.Root.Optional("manifest")?.Optional("scenarioSha256")))}"))})"));

        static (string Shape, string? Seed, string? Sha) Identity(Field root, Field? seed, Field? sha) =>
            (string.Create(Inv, $"{root["paths"].Number:N0} paths x {root["steps"].Number:N0} steps of {string.Join(", ", root["assets"].Members.Select(m => m.Name))}"),
             seed?.Text, sha?.Text);

        static string Describe((string Shape, string? Seed, string? Sha) id) =>
            id.Shape + (id.Seed is null ? "" : $", seed {id.Seed}") + (id.Sha is null ? "" : $", scenario {id.Sha[..Math.Min(12, id.Sha.Length)]}");
    }

    /// <summary>Writes <see cref="Html"/> to <paramref name="path"/> atomically (UTF-8).</summary>
    public void Write(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        AtomicFile.WriteAllText(path, Html);
    }

    /// <summary>Writes every chart as <c>NAME.png</c> into <paramref name="directory"/> (created if absent), each file
    /// atomically; returns the paths written.</summary>
    public IReadOnlyList<string> WritePlots(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        foreach (var chart in Charts)
        {
            string path = Path.Combine(directory, chart.Name + ".png");
            byte[] png = chart.PngBytes();
            AtomicFile.Write(path, stream => stream.Write(png));
            written.Add(path);
        }
        return written;
    }

    private static string Title(ReportDocument d) => d.Kind switch
    {
        DocumentKind.Run => "Run",
        DocumentKind.Calibration => "Calibration",
        DocumentKind.Comparison => "Comparison",
        DocumentKind.Backtest => "Margin backtest",
        DocumentKind.Fit => "Market fit",
        DocumentKind.BookData => "Book from data",
        _ => "Series",
    };

    private static HtmlReport Page(List<ReportDocument> documents, ReportDocument? series, ReportDocument? seriesOwner)
    {
        var b = new ReportBuilder();
        string sources = string.Join(", ", documents.Select(d => d.Source));
        b.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
         .Append("<meta name=\"generator\" content=\"").Append(Report.Html.Escape(EngineInfo.Describe())).Append("\">\n")
         .Append("<title>GpuCascade report: ").Append(Report.Html.Escape(sources)).Append("</title>\n<style>").Append(Style).Append("</style>\n</head>\n<body>\n");
        b.Append("<header><h1>GpuCascade risk report</h1><p class=\"sub\">Liquidation cascades: Monte Carlo results with 95% intervals. From ")
         .Append(string.Join(", ", documents.Select(d => $"<strong>{Report.Html.Escape(d.Source)}</strong> ({Report.Html.Escape(ReportDocument.Describe(d.Kind))})")))
         .Append(series is null ? "" : $" with the series <strong>{Report.Html.Escape(series.Source)}</strong>").Append(".</p>");
        bool several = documents.Count > 1;
        var runs = documents.Where(d => d.Kind == DocumentKind.Run).ToList();
        if (several || runs.Count > 1)
        {
            b.Append("<nav><ol>");
            if (runs.Count > 1) b.Append("<li><a href=\"#side-by-side\">Runs side by side</a></li>");
            foreach (var d in documents)
                b.Append($"<li><a href=\"#doc-{d.Index}\">{Title(d)}: {Report.Html.Escape(d.Source)}</a></li>");
            b.Append("</ol></nav>");
        }
        b.Append("</header>\n<main>\n");
        if (runs.Count > 1) SideBySide(b, runs);
        foreach (var d in documents)
        {
            b.ChartPrefix = several ? $"doc{d.Index + 1}-" : "";
            b.Append($"<section class=\"doc\" id=\"doc-{d.Index}\" data-doc=\"{d.Index}\" data-kind=\"{d.Kind.ToString().ToLowerInvariant()}\" data-source=\"{Report.Html.Escape(d.Source)}\">\n");
            b.Append($"<h2>{Title(d)}{(several ? string.Create(Inv, $" {d.Index + 1}") : "")} <small>{Report.Html.Escape(d.Source)}</small></h2>");
            switch (d.Kind)
            {
                case DocumentKind.Run:
                    RunSection.Write(b, d, d == seriesOwner ? series : null);
                    break;
                case DocumentKind.Calibration:
                    CalibrationSection.Write(b, d);
                    break;
                case DocumentKind.Comparison:
                    ComparisonSection.Write(b, d);
                    break;
                case DocumentKind.Backtest:
                    BacktestSection.Write(b, d);
                    break;
                case DocumentKind.Fit:
                    FitSection.Write(b, d);
                    break;
                case DocumentKind.BookData:
                    BookDataSection.Write(b, d);
                    break;
            }
            b.Append("</section>\n");
        }
        b.Append("</main>\n<footer>Made by ").Append(Report.Html.Escape(EngineInfo.Describe()))
         .Append(": one self-contained file (no script, no external resource); charts drawn by ScottPlot as inline SVG. ")
         .Append("Each number carries the JSON pointer it was read from (data-json) and its exact value (data-value).</footer>\n</body>\n</html>\n");
        return new HtmlReport(b.Html.ToString(), b.Charts);
    }

    private static readonly (string Label, string[] Path, Unit Unit)[] Headline =
    [
        ("P(any liquidation)", ["probabilities", "anyLiquidation", "estimate"], Unit.Percent),
        ("P(cascade)", ["probabilities", "cascade", "estimate"], Unit.Percent),
        ("P(bad debt > 0)", ["probabilities", "badDebt", "estimate"], Unit.Percent),
        ("P(fund depleted)", ["probabilities", "fundDepleted", "estimate"], Unit.Percent),
        ("mean bad debt", ["badDebt", "mean"], Unit.Usd),
        ("VaR 99% bad debt", ["badDebt", "var", "0.99"], Unit.Usd),
        ("ES 99% bad debt", ["badDebt", "es", "0.99"], Unit.Usd),
        ("ES 99.9% bad debt", ["badDebt", "es", "0.999"], Unit.Usd),
        ("mean liquidated notional", ["liquidatedNotional", "mean"], Unit.Usd),
        ("mean uncovered loss", ["insuranceFund", "uncoveredLoss", "mean"], Unit.Usd),
    ];

    private static void SideBySide(ReportBuilder b, List<ReportDocument> runs)
    {
        b.Append("<section class=\"doc\" id=\"side-by-side\"><h2>Runs side by side</h2>");
        var rows = new List<IReadOnlyList<string>>
        {
            new[] { "paths" }.Concat(runs.Select(r => Report.Html.Number(r.Root["paths"], Unit.Count))).ToList(),
            new[] { "steps over horizon" }.Concat(runs.Select(r => Report.Html.Number(r.Root["steps"], Unit.Count) + " over " + Report.Html.Text(r.Root["horizon"]))).ToList(),
            new[] { "seed" }.Concat(runs.Select(r => Report.Html.Text(r.Root["seed"]))).ToList(),
            new[] { "scenario SHA-256" }.Concat(runs.Select(r => r.Root.Optional("manifest")?.Optional("scenarioSha256") is { } sha
                ? $"<code title=\"{Report.Html.Escape(sha.Text)}\">{Report.Html.Escape(sha.Text.Length > 12 ? sha.Text[..12] : sha.Text)}</code>" : "")).ToList(),
        };
        foreach (var (label, path, unit) in Headline)
            rows.Add(new[] { label }.Concat(runs.Select(r => Lookup(r.Root, path) is { } f ? Report.Html.Number(f, unit) : "")).ToList());
        Report.Html.Table(b.Html, ["", .. runs.Select(r => string.Create(Inv, $"#{r.Index + 1} ") + Report.Html.Escape(r.Source))], rows, textColumns: 1,
            caption: "Headline figures of each run (estimates; the intervals are in each run's section)");
        RunsExceedance(b, runs);
        b.Append("</section>\n");
    }

    private static Field? Lookup(Field root, string[] path)
    {
        Field? f = root;
        foreach (string name in path) f = f?.Optional(name);
        return f;
    }

    private static void RunsExceedance(ReportBuilder b, List<ReportDocument> runs)
    {
        var plot = Report.Charts.New("bad debt per path x (USD, log scale)", "P(bad debt >= x) (log scale)");
        int lo = int.MaxValue, hi = int.MinValue, lowest = -1, drawn = 0;
        foreach (var r in runs)
        {
            if (RunSection.DebtBins(r.Root) is not { } h || h.Total <= 0) continue;
            var (xs, ys) = RunSection.Exceedance(h.Bins, h.Total);
            if (xs.Count == 0) continue;
            var line = plot.Add.ScatterLine(xs.ToArray(), ys.ToArray(), Report.Charts.Series(drawn++));
            line.LineWidth = 2;
            line.LegendText = string.Create(Inv, $"#{r.Index + 1} {r.Source}");
            lo = Math.Min(lo, h.LoDecade);
            hi = Math.Max(hi, h.HiDecade);
            lowest = Math.Min(lowest, (int)Math.Floor(ys.Min() - 0.25));
        }
        if (drawn == 0) return;
        Report.Charts.LogUsdTicks(plot.Axes.Bottom, lo, hi);
        Report.Charts.LogProbabilityTicks(plot.Axes.Left, lowest);
        plot.Axes.SetLimitsX(lo, hi);
        plot.Axes.SetLimitsY(lowest, 0.05);
        Report.Charts.Legend(plot);
        b.Chart("runs-exceedance", "The runs' bad debt exceedance curves together: the share of paths with at least x, on log scales.", plot);
    }

    private const string Style = """
        :root{--ink:#1f2937;--muted:#6b7280;--line:#e5e7eb;--accent:#2563eb;--bg:#f5f7fa}
        *{box-sizing:border-box}
        body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Liberation Sans","DejaVu Sans",sans-serif;color:var(--ink);background:var(--bg);line-height:1.45;font-size:15px}
        header{background:#fff;border-bottom:1px solid var(--line);padding:20px 32px}
        header .sub{margin:4px 0 0;color:var(--muted)}
        main{max-width:1160px;margin:0 auto;padding:4px 24px 32px}
        h1{font-size:26px;margin:0}
        h2{font-size:21px;margin:8px 0 12px;padding-bottom:6px;border-bottom:2px solid var(--accent)}
        h2 small{font-weight:400;color:var(--muted);font-size:15px;margin-left:6px}
        h3{font-size:17px;margin:28px 0 6px}
        section.doc{background:#fff;border:1px solid var(--line);border-radius:8px;padding:16px 24px 24px;margin:20px 0}
        .table-wrap{overflow-x:auto;margin:8px 0 10px}
        table{border-collapse:collapse;font-variant-numeric:tabular-nums;font-size:14px}
        th,td{padding:5px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
        thead th{background:#f1f5f9;font-weight:600;border-bottom:1px solid #cbd5e1}
        th.num,td.num{text-align:right;white-space:nowrap}
        tbody tr:nth-child(even){background:#fafbfc}
        caption{caption-side:top;text-align:left;color:var(--muted);font-size:13px;padding:2px 0 4px}
        table.facts th{font-weight:500;color:var(--muted);min-width:15em}
        table.wide{font-size:13px}table.wide td{line-height:1.25}table.wide th,table.wide td{padding:5px 8px}
        table.wide thead th{white-space:normal;min-width:5.5em}
        .ci,.se,small{color:var(--muted)}
        .kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(190px,1fr));gap:12px;margin:8px 0 12px}
        .kpi{border:1px solid var(--line);border-radius:8px;padding:10px 14px;background:#f8fafc}
        .kpi-label{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
        .kpi-value{font-size:24px;font-weight:600;margin:2px 0}
        .kpi-ci{font-size:12.5px}
        figure.chart{margin:14px 0 18px}
        figure.chart svg{display:block;width:100%;max-width:760px;height:auto;border:1px solid var(--line);border-radius:6px}
        figcaption{font-size:13px;color:var(--muted);max-width:760px;margin-top:6px}
        .note{color:var(--muted);font-size:13px;max-width:900px;margin:4px 0 8px}
        pre{background:#f8fafc;border:1px solid var(--line);border-radius:6px;padding:10px 12px;overflow:auto;font-size:12px;max-height:420px}
        code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono","DejaVu Sans Mono",monospace;font-size:12.5px;overflow-wrap:anywhere}
        details summary{cursor:pointer;color:var(--accent);font-size:14px;margin:6px 0}
        .ok{color:#15803d;font-weight:600}.warn{color:#a16207;font-weight:600}.bad{color:#b91c1c;font-weight:600}
        ul.warnings li{color:#92400e;font-size:14px}
        p.stopped{background:#fef3c7;border:1px solid #f59e0b;border-radius:6px;padding:8px 12px;color:#92400e;font-size:14px}
        nav ol{margin:8px 0 0;padding-left:20px;font-size:14px}
        a{color:var(--accent)}
        footer{max-width:1160px;margin:0 auto;padding:0 24px 28px;color:var(--muted);font-size:12px}
        @media print{body{background:#fff}section.doc{border:none;padding:0}figure.chart{break-inside:avoid}.table-wrap{overflow:visible}}
        """;
}
