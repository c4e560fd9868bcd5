using System.Globalization;
using ScottPlot;

namespace GpuCascade.Report;

/// <summary>The section of a calibration (<c>calibrate --json</c>): the search, the targets, the response curve of each
/// target's metric with its interval band and bound, the out-of-sample check, the margin table and the pricing.</summary>
internal static class CalibrationSection
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Unit UnitOf(string metric) => metric.StartsWith("probabilities.", StringComparison.Ordinal) ? Unit.Percent : Unit.Usd;

    public static void Write(ReportBuilder b, ReportDocument d)
    {
        var c = d.Root;
        string key = c["key"].Text;
        bool single = !c["curve"].Items.Any(p => p.Has("regime"));
        var facts = new List<(string, string)>
        {
            ("key", "<code>" + Html.Text(c["key"]) + "</code>"),
            ("range", Html.Number(c["range"]["low"], Unit.Plain) + " .. " + Html.Number(c["range"]["high"], Unit.Plain) + (c.Optional("integer") is { } i && i.Bool ? " (integer)" : "")),
            ("resolution", Html.Number(c["resolution"], Unit.Plain)),
            ("prefer", Html.Text(c["prefer"])),
            ("rule", Html.Text(c["rule"])),
            ("paths per candidate", Html.Number(c["paths"], Unit.Count)),
            ("seed", Html.Text(c["seed"])),
            ("book", c.Optional("bookRegenerated") is { } regen && regen.Bool ? "regenerated per candidate" : "generated once and held fixed"),
            ("breach rule", Html.Text(c["breach"])),
        };
        // The verdict first: a value that fails out of sample must not read as a success at the top.
        if (c.Optional("verdictText") is { } verdict)
            facts.Insert(0, ("verdict", $"<strong class=\"{(c["verdict"].Text == "holds" ? "ok" : "bad")}\">" + Html.Text(verdict) + "</strong>"));
        else
            facts.Add(("feasible", Html.Text(c["feasible"])));
        if (c.Optional("cancelled") is { } cancelled && cancelled.Bool) facts.Add(("cancelled", "yes: the curve is what finished"));
        if (single)
        {
            facts.Add(("chosen " + key, c.Optional("chosen") is { } chosen ? "<strong>" + Html.Number(chosen, Unit.Plain) + "</strong>" : "none: no candidate is feasible"));
            facts.Add(("outcome", Html.Text(c["outcome"])));
        }
        else
        {
            foreach (var (regime, chosen) in c["chosen"].Members)
                facts.Add(($"chosen {key} in regime {regime}", chosen.IsNull ? "none" : "<strong>" + Html.Number(chosen, Unit.Plain) + "</strong>"));
        }
        Html.Facts(b.Html, facts);

        b.Heading(3, "Targets");
        var targets = c["targets"].Items.ToList();
        // The estimate beside the figure the rule tested (the interval's upper end, or the estimate with --estimate).
        bool upper = !(c.Optional("estimate") is { } e && e.Bool);
        Html.Table(b.Html, [.. single ? Array.Empty<string>() : ["regime"], "metric", "bound", "limit", "estimate at the chosen",
                upper ? "upper end tested" : "value tested", "holds"],
            targets.Select(t => (IReadOnlyList<string>)
            [
                .. single ? Array.Empty<string>() : [Html.Text(t["regime"])],
                Html.Text(t["metric"]), Html.Text(t["limitText"]), Html.Number(t["limit"], UnitOf(t["metric"].Text)),
                t.Optional("estimate") is { } est ? Html.Number(est, UnitOf(t["metric"].Text)) : "n/a",
                Html.Number(t["value"], UnitOf(t["metric"].Text)), t["holds"].IsNull ? "n/a" : Html.Text(t["holds"]),
            ]), textColumns: single ? 3 : 4);

        var metrics = targets.Select(t => t["metric"].Text).Distinct().ToList();
        b.Heading(3, "Response curve");
        foreach (string metric in metrics) Curve(b, c, key, metric, targets, single);
        CurveTable(b, c, metrics, single);
        OutOfSample(b, c, metrics, single);
        Margins(b, c);
        Pricing(b, c);
        if (c.Optional("yaml") is { } yaml && yaml.Text.Length > 0)
        {
            b.Heading(3, "Scenario fragment");
            b.Append(Html.Text(yaml, "pre"));
        }
        var warnings = c.Optional("warnings")?.Items.ToList() ?? [];
        if (warnings.Count > 0)
        {
            b.Heading(3, "Warnings");
            b.Append("<ul class=\"warnings\">");
            foreach (var w in warnings) b.Append("<li>").Append(Html.Text(w)).Append("</li>");
            b.Append("</ul>");
        }
    }

    private static string RegimeOf(Field f) => f.Optional("regime")?.Text ?? "";

    private static void Curve(ReportBuilder b, Field c, string key, string metric, List<Field> targets, bool single)
    {
        var unit = UnitOf(metric);
        double scale = unit == Unit.Percent ? 100 : 1;
        var plot = Charts.New(key, metric);
        var groups = c["curve"].Items.GroupBy(RegimeOf).ToList();
        int g = 0;
        foreach (var group in groups)
        {
            var points = group.Where(p => p["figures"].Has(metric)).OrderBy(p => p["value"].Number).ToList();
            if (points.Count == 0) continue;
            double[] xs = points.Select(p => p["value"].Number).ToArray();
            double[] est = points.Select(p => scale * p["figures"][metric]["estimate"].Number).ToArray();
            double[] lo = points.Select((p, i) => p["figures"][metric]["lower"].Number is var v && double.IsFinite(v) ? scale * v : est[i]).ToArray();
            double[] hi = points.Select((p, i) => p["figures"][metric]["upper"].Number is var v && double.IsFinite(v) ? scale * v : est[i]).ToArray();
            var color = single ? Charts.Blue : Charts.Series(g);
            if (xs.Length > 1)
            {
                var band = plot.Add.FillY(xs, lo, hi);
                band.FillColor = color.WithAlpha(0.18);
                band.LineWidth = 0;
                band.LegendText = single ? "95% interval" : "";
            }
            var line = plot.Add.ScatterLine(xs, est, color);
            line.LineWidth = 2;
            line.LegendText = single ? "estimate" : $"regime {group.Key}";
            if (single)
            {
                bool[] feasible = points.Select(p => p["feasible"].Bool).ToArray();
                if (feasible.Any(f => f))
                    plot.Add.Markers(xs.Where((_, i) => feasible[i]).ToArray(), est.Where((_, i) => feasible[i]).ToArray(), MarkerShape.FilledCircle, 7, Charts.Green).LegendText = "feasible";
                if (feasible.Any(f => !f))
                    plot.Add.Markers(xs.Where((_, i) => !feasible[i]).ToArray(), est.Where((_, i) => !feasible[i]).ToArray(), MarkerShape.OpenCircle, 7, Charts.Red).LegendText = "infeasible";
            }
            g++;
        }
        var target = targets.FirstOrDefault(t => t["metric"].Text == metric);
        string bound = "";
        if (target.Element.ValueKind != System.Text.Json.JsonValueKind.Undefined)
        {
            bound = target["limitText"].Text;
            if (bound == "insuranceFund" && key == "venue.insuranceFund")
            {
                double low = c["range"]["low"].Number, high = c["range"]["high"].Number;
                var limit = plot.Add.Line(low, low, high, high);
                limit.Color = Charts.Red;
                limit.LinePattern = LinePattern.Dashed;
                limit.LegendText = "bound: the fund";
            }
            else if (target["limit"].Number is var l && double.IsFinite(l))
            {
                var limit = plot.Add.HorizontalLine(scale * l, 1.5f, Charts.Red, LinePattern.Dashed);
                limit.LegendText = $"bound {Html.Format(l, unit)}";
            }
        }
        if (single && c.Optional("chosen") is { } chosen)
            Charts.Marker(plot, chosen.Number, $"chosen {Html.Format(chosen.Number, Unit.Plain)}", Charts.Green, LinePattern.Solid);
        if (unit == Unit.Percent) Charts.PercentLabels(plot.Axes.Left);
        else Charts.UsdLabels(plot.Axes.Left);
        Charts.Legend(plot, Alignment.UpperLeft);
        b.Chart($"response-curve-{metric}",
            $"Response curve: {metric} against {key}, the estimate with its 95% interval band at each candidate examined (grid and bisection)" +
            (bound.Length > 0 ? $", and the bound ({metric} <= {bound}) dashed" : "") + ".", plot, 760, 340);
    }

    private static void CurveTable(ReportBuilder b, Field c, List<string> metrics, bool single)
    {
        bool opening = c.Optional("breach")?.Text == "liquidate";
        var rows = c["curve"].Items.OrderBy(RegimeOf).ThenBy(p => p["value"].Number).Select(p => (IReadOnlyList<string>)
        [
            .. single ? Array.Empty<string>() : [Html.Text(p["regime"])],
            Html.Number(p["value"], Unit.Plain), p["feasible"].Bool ? "<span class=\"ok\">feasible</span>" : "<span class=\"bad\">infeasible</span>",
            .. metrics.SelectMany(m => Html.Figure(p["figures"][m], UnitOf(m))),
            Html.Number(p[opening ? "openingRoundNotional" : "deleveragedNotional"], Unit.Usd),
        ]);
        Html.Table(b.Html, [.. single ? Array.Empty<string>() : ["regime"], "value", "feasible", .. metrics.SelectMany(m => new[] { Html.Escape(m), "95% interval" }),
                            opening ? "opening round" : "deleveraged"], rows, textColumns: single ? 1 : 2,
            caption: "Every candidate examined (estimate and 95% interval of each target's metric)");
    }

    private static void OutOfSample(ReportBuilder b, Field c, List<string> metrics, bool single)
    {
        var checks = single
            ? (c.Optional("outOfSample") is { } o ? [("", o)] : new List<(string, Field)>())
            : c["outOfSample"].Members.Where(m => !m.Value.IsNull).Select(m => (m.Name, m.Value)).ToList();
        if (checks.Count == 0) return;
        b.Heading(3, "Out of sample");
        var rows = checks.Select(x => (IReadOnlyList<string>)
        [
            .. single ? Array.Empty<string>() : [Html.Escape(x.Item1)],
            Html.Text(x.Item2["seed"]), Html.Number(x.Item2["paths"], Unit.Count), x.Item2["holds"].Bool ? "<span class=\"ok\">holds</span>" : "<span class=\"bad\">does not hold</span>",
            .. metrics.SelectMany(m => x.Item2["figures"].Has(m) ? Html.Figure(x.Item2["figures"][m], UnitOf(m)) : ["", ""]),
        ]);
        Html.Table(b.Html, [.. single ? Array.Empty<string>() : ["regime"], "seed", "paths", "targets", .. metrics.SelectMany(m => new[] { Html.Escape(m), "95% interval" })],
            rows, textColumns: single ? 1 : 2, caption: "The chosen value rerun on fresh paths (another seed)");
    }

    private static void Margins(ReportBuilder b, Field c)
    {
        var rows = c.Optional("marginTable")?.Items.ToList() ?? [];
        if (rows.Count == 0) return;
        var assets = rows.SelectMany(r => r["maxLeverage"].Members.Select(m => m.Name)).Distinct().ToList();
        b.Heading(3, "Margin table");
        Html.Table(b.Html, ["regime", "volatility factor", "chosen", .. assets.Select(a => "volatility " + Html.Escape(a)), .. assets.Select(a => "max leverage " + Html.Escape(a))],
            rows.Select(r => (IReadOnlyList<string>)
            [
                Html.Text(r["regime"]), Html.Number(r["volatilityFactor"], Unit.Plain), Html.Number(r["chosen"], Unit.Plain),
                .. assets.Select(a => r["volatility"].Optional(a) is { } v ? Html.Number(v, Unit.Percent) : ""),
                .. assets.Select(a => r["maxLeverage"].Optional(a) is { } v ? Html.Number(v, Unit.Leverage) : ""),
            ]), caption: "Max leverage = 0.8 / the maintenance rate of the smallest tier, at the regime's volatility", cssClass: "wide");
    }

    private static void Pricing(ReportBuilder b, Field c)
    {
        var rows = c.Optional("pricing")?.Items.ToList() ?? [];
        if (rows.Count == 0) return;
        b.Heading(3, "Leverage pricing");
        Html.Table(b.Html, ["regime", "leverage", "cohorts", "notional", "expected bad debt", "fee (bp per horizon)"],
            rows.Select(p => (IReadOnlyList<string>)
            [
                Html.Text(p["regime"]), Html.Text(p["bucket"]), Html.Number(p["cohorts"], Unit.Count), Html.Number(p["notional"], Unit.Usd),
                Html.Number(p["expectedBadDebt"], Unit.Usd), Html.Number(p["feeBp"], Unit.BasisPoints),
            ]), textColumns: 2, caption: "At the chosen value: expected bad debt per dollar of notional, as a fee per horizon");
    }
}
