using System.Globalization;
using ScottPlot;

namespace GpuCascade.Report;

/// <summary>The section of a comparison (<c>compare --json</c>): the variants side by side with their own intervals,
/// each variant's differences to the first with the paired and the unpaired 95% intervals, and both as charts.</summary>
internal static class ComparisonSection
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static readonly (string Metric, string Label)[] Headline =
    [
        ("probabilities.cascade", "P(cascade)"),
        ("probabilities.badDebt", "P(bad debt)"),
        ("probabilities.fundDepleted", "P(fund depleted)"),
        ("badDebt.mean", "mean bad debt"),
        ("badDebt.var.0.99", "VaR 99% bad debt"),
        ("badDebt.es.0.99", "ES 99% bad debt"),
        ("liquidatedNotional.mean", "mean liquidated"),
        ("insuranceFund.uncoveredLoss.mean", "mean uncovered loss"),
    ];

    private static string Label(string metric) => Headline.FirstOrDefault(h => h.Metric == metric).Label ?? metric;

    /// <summary>The figure of <paramref name="metric"/> in a run result: its estimate and, where the JSON has them, the
    /// bounds of its interval (means have a standard error instead).</summary>
    private static (Field Estimate, Field? Lower, Field? Upper, Field? StandardError)? Read(Field result, string metric)
    {
        string[] parts = metric.Split('.');
        if (parts[0] == "probabilities")
            return result["probabilities"].Optional(parts[1]) is { } p ? (p["estimate"], p["lower"], p["upper"], null) : null;
        if (parts.Length >= 3 && parts[1] is "var" or "es")
        {
            string level = string.Join('.', parts[2..]);
            var loss = result[parts[0]];
            if (loss[parts[1]].Optional(level) is not { } v) return null;
            var interval = loss[parts[1] + "Interval"][level];
            return (v, interval["lower"], interval["upper"], null);
        }
        var node = result;
        foreach (string part in parts[..^1])
        {
            if (node.Optional(part) is not { } next) return null;
            node = next;
        }
        return node.Optional("mean") is { } mean ? (mean, null, null, node.Optional("standardError")) : null;
    }

    public static void Write(ReportBuilder b, ReportDocument d)
    {
        var c = d.Root;
        var axes = c["axes"].Items.ToList();
        var variants = c["variants"].Items.ToList();
        var facts = new List<(string, string)>();
        foreach (var axis in axes)
            facts.Add(("varied", "<code>" + Html.Text(axis["key"]) + "</code> = " + string.Join(", ", axis["values"].Items.Select(v => Html.Number(v, Unit.Plain)))));
        facts.Add(("variants", string.Create(Inv, $"{variants.Count} of ") + Html.Number(c["plannedVariants"], Unit.Count) + " planned"));
        bool asGiven = axes.Count == 0; // Comparison.Run(scenarios): the variants as they are, no keys and no breach rule
        facts.Add(asGiven
            ? ("compared", "scenarios as given, with their own books and no initial-margin rule")
            : ("breach rule", Html.Text(c["breach"])));
        if (variants.Any(v => v.Optional("bookRegenerated") is { } r && r.Bool))
            facts.Add(("books", asGiven ? "some variants' generator builds another book than the first's: the variants differ in their books too"
                                        : "a book.generator.* key regenerates the book per variant: the variants differ in their books too"));
        if (c.Optional("pairing") is { } pairing) facts.Add(("pairing", Html.Text(pairing)));
        if (c.Optional("cancelled") is { } cancelled && cancelled.Bool) facts.Add(("cancelled", "yes: the variants shown are those that finished"));
        if (variants.Count > 0)
        {
            var first = variants[0]["result"];
            facts.Add(("paths per variant", Html.Number(first["paths"], Unit.Count)));
            facts.Add(("seed", Html.Text(first["seed"])));
            facts.Add(("steps", Html.Number(first["steps"], Unit.Count)));
            if (first.Optional("manifest") is { } m) facts.Add(("engine", Html.Text(m["engine"]["version"]) + " (commit <code>" + Html.Text(m["engine"]["commit"]) + "</code>)"));
        }
        Html.Facts(b.Html, facts);
        if (variants.Count == 0)
        {
            b.Note("No variant finished.");
            return;
        }

        b.Heading(3, "Variants side by side");
        var keys = axes.Select(a => a["key"].Text).ToList();
        bool opening = c.Optional("breach")?.Text == "liquidate";
        var rows = variants.Select((v, i) => (IReadOnlyList<string>)
        [
            (i + 1).ToString(Inv),
            .. keys.Select(k => v["values"].Optional(k) is { } x ? Html.Number(x, Unit.Plain) : ""),
            .. Headline.Select(h => Read(v["result"], h.Metric) is { } f ? Cell(f, CalibrationSection.UnitOf(h.Metric)) : ""),
            Html.Number(v[opening ? "openingRoundNotional" : "deleveragedNotional"], Unit.Usd),
        ]);
        Html.Table(b.Html, ["#", .. keys.Select(Html.Escape), .. Headline.Select(h => Html.Escape(h.Label)), opening ? "opening round" : "deleveraged"],
            rows, textColumns: 1, caption: "Each variant's estimate with its own 95% interval (means: with their standard error)", cssClass: "wide");
        VariantChart(b, variants);

        for (int i = 1; i < variants.Count; i++)
        {
            var v = variants[i];
            string values = string.Join(", ", keys.Select(k => $"{k}={(v["values"].Optional(k) is { } x ? Html.Format(x.Number, Unit.Plain) : "?")}"));
            b.Heading(3, keys.Count == 0 ? $"Variant {i + 1} minus variant 1" : $"Variant {i + 1} minus variant 1 ({values})");
            var diff = v["difference"];
            var diffRows = Headline.Where(h => diff.Has(h.Metric)).Select(h =>
            {
                var f = diff[h.Metric];
                var unit = CalibrationSection.UnitOf(h.Metric);
                return (IReadOnlyList<string>)[Html.Escape(h.Metric), Html.Number(f["estimate"], unit), Html.Interval(f["lower"], f["upper"], unit),
                                                Html.Interval(f["unpairedLower"], f["unpairedUpper"], unit)];
            });
            Html.Table(b.Html, ["metric", "difference", "paired 95%", "unpaired 95%"], diffRows);
        }
        if (variants.Count > 1) DifferenceChart(b, variants);
    }

    private static string Cell((Field Estimate, Field? Lower, Field? Upper, Field? StandardError) f, Unit unit) =>
        Html.Number(f.Estimate, unit) + "<br><small>" +
        (f.StandardError is { } se ? "s.e. " + Html.Number(se, unit) : Html.Interval(f.Lower, f.Upper, unit)) + "</small>";

    private static void VariantChart(ReportBuilder b, List<Field> variants)
    {
        const string metric = "badDebt.es.0.99";
        var figures = variants.Select(v => Read(v["result"], metric)).ToList();
        if (figures.Any(f => f is null)) return;
        var plot = Charts.New("variant", "ES 99% of the bad debt per path");
        for (int i = 0; i < figures.Count; i++)
        {
            var (est, lower, upper, _) = figures[i]!.Value;
            plot.Add.Bars(new[] { new Bar { Position = i, Value = est.Number, Size = 0.6, FillColor = Charts.Series(i).WithAlpha(0.8), LineWidth = 0 } });
            double lo = lower?.Number ?? double.NaN, hi = upper?.Number ?? double.NaN;
            if (double.IsFinite(lo) && double.IsFinite(hi))
            {
                var line = plot.Add.Line(i, lo, i, hi);
                line.Color = Charts.Ink;
                line.LineWidth = 2;
                foreach (double y in new[] { lo, hi })
                {
                    var cap = plot.Add.Line(i - 0.12, y, i + 0.12, y);
                    cap.Color = Charts.Ink;
                    cap.LineWidth = 2;
                }
            }
        }
        Charts.CategoryTicks(plot.Axes.Bottom, variants.Select((_, i) => $"#{i + 1}").ToList());
        Charts.UsdLabels(plot.Axes.Left);
        plot.Axes.SetLimitsX(-0.6, variants.Count - 0.4);
        double top = figures.Max(f => Math.Max(f!.Value.Estimate.Number, f.Value.Upper?.Number is double u && double.IsFinite(u) ? u : 0));
        plot.Axes.SetLimitsY(0, top * 1.12 + 1e-9);
        b.Chart("comparison-variants", "ES 99% of the bad debt per variant with its own 95% interval (each variant alone).", plot, 760, 320);
    }

    /// <summary>A forest plot: each variant's change against variant 1 relative to variant 1's value, with the paired
    /// interval (thick) over the unpaired one (thin): the pairing is what makes small differences visible.</summary>
    private static void DifferenceChart(ReportBuilder b, List<Field> variants)
    {
        string[] metrics = ["probabilities.cascade", "probabilities.badDebt", "badDebt.mean", "badDebt.es.0.99", "liquidatedNotional.mean"];
        var rows = new List<(string Label, double Est, double Lo, double Hi, double ULo, double UHi)>();
        for (int i = 1; i < variants.Count; i++)
            foreach (string metric in metrics)
            {
                if (Read(variants[0]["result"], metric) is not { } baseline || variants[i]["difference"].Optional(metric) is not { } d) continue;
                double scale = Math.Abs(baseline.Estimate.Number);
                if (!(scale > 0)) continue;
                double R(string name) => d.Optional(name) is { } f && double.IsFinite(f.Number) ? 100 * f.Number / scale : double.NaN;
                rows.Add(($"#{i + 1} {Label(metric)}", R("estimate"), R("lower"), R("upper"), R("unpairedLower"), R("unpairedUpper")));
            }
        if (rows.Count == 0) return;
        var plot = Charts.New("difference to variant 1, relative to variant 1's value", "");
        for (int k = 0; k < rows.Count; k++)
        {
            double y = rows.Count - 1 - k;
            var row = rows[k];
            if (double.IsFinite(row.ULo) && double.IsFinite(row.UHi))
            {
                var unpaired = plot.Add.Line(row.ULo, y - 0.18, row.UHi, y - 0.18);
                unpaired.Color = Charts.Grey;
                unpaired.LineWidth = 2;
            }
            if (double.IsFinite(row.Lo) && double.IsFinite(row.Hi))
            {
                var paired = plot.Add.Line(row.Lo, y, row.Hi, y);
                paired.Color = Charts.Blue;
                paired.LineWidth = 5;
            }
            if (double.IsFinite(row.Est)) plot.Add.Marker(row.Est, y, MarkerShape.FilledDiamond, 9, Charts.Ink);
        }
        plot.Add.VerticalLine(0, 1, Charts.Ink, LinePattern.Dotted);
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (int k = 0; k < rows.Count; k++) ticks.AddMajor(rows.Count - 1 - k, rows[k].Label);
        plot.Axes.Left.TickGenerator = ticks;
        Charts.PercentLabels(plot.Axes.Bottom);
        plot.Axes.SetLimitsY(-0.7, rows.Count - 0.3);
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "paired 95%", LineColor = Charts.Blue, LineWidth = 5 });
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "unpaired 95%", LineColor = Charts.Grey, LineWidth = 2 });
        Charts.Legend(plot, Alignment.LowerRight);
        b.Chart("comparison-differences",
            "Each variant minus variant 1, as a share of variant 1's value: the paired 95% interval (common random numbers, thick) " +
            "against the unpaired one (thin); an interval clear of 0 is a difference the paths can tell.", plot, 760, Math.Max(260, 60 + 34 * rows.Count));
    }
}
