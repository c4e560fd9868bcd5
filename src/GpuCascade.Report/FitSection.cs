using System.Globalization;
using ScottPlot;

namespace GpuCascade.Report;

/// <summary>The section of a market fit (<c>fit --json</c>): headline cards, each asset's data, every estimate with its
/// standard error and 95% interval (estimate +- 1.96 standard errors; n/a where the standard error is not finite), the
/// correlation matrix with its standard errors, and one chart: per asset the volatility now, the long-run and the EWMA
/// with their 95% intervals as error bars.</summary>
internal static class FitSection
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The volatilities drawn and tabled per asset: JSON member, label.</summary>
    private static readonly (string Name, string Label)[] Volatilities =
        [("volatility", "volatility now (GARCH)"), ("longRunVolatility", "long-run volatility"), ("ewmaVolatility", "EWMA volatility")];

    public static void Write(ReportBuilder b, ReportDocument d)
    {
        var r = d.Root;
        var assets = r["assets"].Items.ToList();
        if (assets.Count == 0) throw new ReportException($"{d.Source}: /assets is empty; a fit has at least one asset");
        var jumps = r["jumps"];
        Html.Cards(b.Html,
        [
            ("interval", Html.Text(r["interval"]), "the returns' interval and the scenario's step"),
            ("GARCH alpha / beta", Html.Number(r["garch"]["alpha"]["value"], Unit.Plain) + " / " + Html.Number(r["garch"]["beta"]["value"], Unit.Plain), "per step"),
            ("Student-t dof", Html.Number(r["dof"]["value"], Unit.Plain), "s.e. " + Html.Number(r["dof"]["standardError"], Unit.Plain)),
            ("jumps", Html.Number(jumps["count"], Unit.Count), "beyond the threshold"),
        ]);

        b.Heading(3, "Data");
        Html.Table(b.Html, ["asset", "price file", "SHA-256", "returns", "first", "last", "missing intervals", "repeated rows", "last price"],
            assets.Select(a => (IReadOnlyList<string>)
            [
                Html.Text(a["symbol"]),
                a.Optional("source") is { } source ? "<code>" + Html.Text(source) + "</code>" : "not recorded",
                a.Optional("sourceSha256") is { } sha ? "<code>" + Html.Text(sha) + "</code>" : "not recorded",
                Html.Number(a["returns"], Unit.Count), Html.Text(a["first"]), Html.Text(a["last"]), Html.Number(a["gaps"], Unit.Count),
                Html.Number(a["duplicates"], Unit.Count), Html.Number(a["lastPrice"], Unit.Plain),
            ]), textColumns: 3, caption: "Each asset's returns at the interval: the first and last return's end (UTC); a return across a missing interval is not used",
            cssClass: "wide");

        b.Heading(3, "Estimates");
        var rows = new List<IReadOnlyList<string>>();
        foreach (var a in assets)
        {
            foreach (var (name, label) in Volatilities) rows.Add(Row(label, Html.Text(a["symbol"]), a[name], Unit.Percent));
            rows.Add(Row("jump beta", Html.Text(a["symbol"]), a["jumpBeta"], Unit.Plain));
        }
        rows.Add(Row("GARCH alpha (per step)", "all", r["garch"]["alpha"], Unit.Plain));
        rows.Add(Row("GARCH beta (per step)", "all", r["garch"]["beta"], Unit.Plain));
        rows.Add(Row("Student-t degrees of freedom", "all", r["dof"], Unit.Plain));
        rows.Add(Row("jump intensity (a year)", "all", jumps["intensity"], Unit.Plain));
        rows.Add(Row("jump mean log size", "all", jumps["meanLogSize"], Unit.Plain));
        rows.Add(Row("jump log-size volatility", "all", jumps["logSizeVolatility"], Unit.Plain));
        Html.Table(b.Html, ["estimate", "asset", "value", "standard error", "95% interval"], rows, textColumns: 2,
            caption: "Volatilities annualised (years of 365 days); the 95% interval is the value +- 1.96 standard errors, n/a where the standard error is not " +
                     "defined (the long-run volatility's with nu <= 4, a jump beta without returns at the jumps, the jump sizes of fewer than two jumps)");
        Html.Facts(b.Html,
        [
            ("log-likelihood", Html.Number(r["logLikelihood"], Unit.Plain) + " (GARCH-t, the returns at jumps left out)"),
            ("correlation shrinkage", Html.Number(r["shrinkage"], Unit.Plain) + " (the identity's weight that made the pairwise matrix positive definite; 0: none needed)"),
        ]);

        b.Heading(3, "Correlation");
        var correlation = r["correlation"].Items.ToList();
        var errors = r["correlationStandardErrors"].Items.ToList();
        if (correlation.Count != assets.Count || errors.Count != assets.Count)
            throw new ReportException($"{d.Source}: /correlation has {correlation.Count} rows and /correlationStandardErrors {errors.Count} for {assets.Count} assets");
        Html.Table(b.Html, ["", .. assets.Select(a => Html.Text(a["symbol"]))],
            assets.Select((a, i) => (IReadOnlyList<string>)
            [
                Html.Text(a["symbol"]),
                .. Enumerable.Range(0, assets.Count).Select(j => i == j
                    ? Html.Number(correlation[i][j], Unit.Plain)
                    : Html.Number(correlation[i][j], Unit.Plain) + " <span class=\"ci\">(s.e. " + Html.Number(errors[i][j], Unit.Plain) + ")</span>"),
            ]), caption: "The correlation of the standardised shocks (returns over GARCH's sigma, the jumps left out), with its standard error");

        b.Heading(3, "Volatilities");
        VolatilityChart(b, assets);
    }

    /// <summary>A row: label, asset, value, standard error and the 95% interval (computed here, so without a pointer).</summary>
    private static IReadOnlyList<string> Row(string label, string asset, Field e, Unit unit)
    {
        double v = e["value"].Number, se = e["standardError"].Number;
        string interval = double.IsFinite(v) && double.IsFinite(se)
            ? $"<span class=\"ci\">[{Html.Escape(Html.Format(v - 1.96 * se, unit))}, {Html.Escape(Html.Format(v + 1.96 * se, unit))}]</span>"
            : "n/a";
        return [Html.Escape(label), asset, Html.Number(e["value"], unit), Html.Number(e["standardError"], unit), interval];
    }

    /// <summary>Per asset three bars, the volatility now, the long-run and the EWMA (percent a year), each with its 95%
    /// interval as an error bar (none where the standard error is not finite).</summary>
    private static void VolatilityChart(ReportBuilder b, List<Field> assets)
    {
        var plot = Charts.New("asset", "volatility, annualised (%)");
        var bars = new List<Bar>();
        double width = 0.8 / Volatilities.Length, top = 0;
        for (int i = 0; i < assets.Count; i++)
            for (int k = 0; k < Volatilities.Length; k++)
            {
                var e = assets[i][Volatilities[k].Name];
                double v = 100 * e["value"].Number, se = 100 * e["standardError"].Number;
                if (!double.IsFinite(v)) continue;
                double error = double.IsFinite(se) ? 1.96 * se : 0;
                bars.Add(new Bar
                {
                    Position = i + (k - (Volatilities.Length - 1) / 2.0) * width, Size = width * 0.9, Value = v, Error = error,
                    FillColor = Charts.Series(k), LineColor = Charts.Ink, LineWidth = 1.2f, // the line draws the error bar too
                });
                top = Math.Max(top, v + error);
            }
        if (bars.Count > 0) plot.Add.Bars(bars);
        for (int k = 0; k < Volatilities.Length; k++)
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = Volatilities[k].Label, FillColor = Charts.Series(k) });
        Charts.CategoryTicks(plot.Axes.Bottom, [.. assets.Select(a => a["symbol"].Text)]);
        Charts.PercentLabels(plot.Axes.Left);
        plot.Axes.SetLimitsX(-0.6, assets.Count - 0.4);
        plot.Axes.SetLimitsY(0, top * 1.15 + 1e-9);
        Charts.LegendBelow(plot);
        b.Chart("fit-volatilities",
            "Each asset's fitted volatility, annualised: GARCH's now (after the last return), the long-run it reverts to and the EWMA; " +
            "the error bars are the 95% intervals (value +- 1.96 standard errors; none where the standard error is not defined).",
            plot, 760, 400);
    }
}
