using System.Globalization;
using System.Text;
using System.Text.Json;
using GpuCascade.Kernels;
using GpuCascade.Paths;
using ScottPlot;

namespace GpuCascade.Report;

/// <summary>The section of a run result: headline figures, probabilities, the bad-debt distribution, the assets, the
/// venues (with several) and the front-runner (with one), the outputs over time (with a series), the cohorts behind the
/// tail, the other figures, the scenario (from the manifest) and the run's facts.</summary>
internal static class RunSection
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The probabilities of the output schema (<see cref="OutputSchema"/>), by their key under <c>probabilities</c>; the
    /// venues' are in their own section, by the venues' names (and zeros with one venue).</summary>
    private static readonly (string Key, string Label)[] Events =
    [
        .. OutputSchema.Rows.Where(r => r.ProbabilityKey is not null && r.Mechanism != VenuesSection.Mechanism).Select(r =>
            (r.ProbabilityName!, r.ProbabilityLabel ?? r.Label + " > 0")),
    ];

    /// <summary>"99%" for the level key "0.99".</summary>
    public static string Level(string key) =>
        double.TryParse(key, NumberStyles.Float, Inv, out double a) ? (100 * a).ToString("0.##", Inv) + "%" : key;

    private static Color LevelColor(int i) => i switch { 0 => Charts.Orange, 1 => Charts.Red, _ => Charts.DarkRed };

    public static void Write(ReportBuilder b, ReportDocument d, ReportDocument? series)
    {
        var r = d.Root;
        Headline(b, r);
        b.Heading(3, "Event probabilities");
        Probabilities(b, r);
        b.Heading(3, "Bad debt and liquidated notional per path");
        Losses(b, r);
        Histogram(b, r);
        Exceedance(b, r);
        b.Heading(3, "Assets: drawdown and amplification");
        Assets(b, r);
        if (VenuesSection.Applies(r))
        {
            b.Heading(3, "Venues");
            VenuesSection.Write(b, r);
        }
        bool frontRunner = FrontRunnerSection.Applies(r);
        if (frontRunner)
        {
            b.Heading(3, "Front-runner");
            FrontRunnerSection.Write(b, r);
        }
        if (r.Optional("ladder") is { } ladder)
        {
            b.Heading(3, "Liquidation ladder");
            Ladder(b, ladder);
        }
        if (series is not null) SeriesSection.Write(b, series);
        Cohorts(b, r);
        b.Heading(3, "Insurance fund, auto-deleveraging, queue and work");
        Other(b, r, frontRunner);
        Warnings(b, r);
        b.Heading(3, "Scenario");
        Scenario(b, r);
        b.Heading(3, "How it was run");
        RunFacts(b, r);
    }

    private static void Headline(ReportBuilder b, Field r)
    {
        if (r.Optional("run")?.Optional("cancelled") is { } cancelled && cancelled.Bool)
            b.Append("<p class=\"stopped\"><strong>Stopped before the end:</strong> these figures are the exact result of the ")
             .Append(Html.Number(r["paths"], Unit.Count)).Append(" paths completed, of ").Append(Html.Number(r["requestedPaths"], Unit.Count))
             .Append(" requested; their intervals are wider than a full run's.</p>");
        var p = r["probabilities"];
        var cards = new List<(string Label, string Value, string Interval)>
        {
            ("P(cascade)", Html.Number(p["cascade"]["estimate"], Unit.Percent), Html.Interval(p["cascade"]["lower"], p["cascade"]["upper"], Unit.Percent)),
            ("P(bad debt > 0)", Html.Number(p["badDebt"]["estimate"], Unit.Percent), Html.Interval(p["badDebt"]["lower"], p["badDebt"]["upper"], Unit.Percent)),
            ("P(fund depleted)", Html.Number(p["fundDepleted"]["estimate"], Unit.Percent), Html.Interval(p["fundDepleted"]["lower"], p["fundDepleted"]["upper"], Unit.Percent)),
            ("mean bad debt", Html.Number(r["badDebt"]["mean"], Unit.Usd), "s.e. " + Html.Number(r["badDebt"]["standardError"], Unit.Usd)),
        };
        var es = r["badDebt"]["es"];
        var level = es.Has("0.99") ? "0.99" : es.Members.Select(m => m.Name).LastOrDefault();
        if (level is not null)
            cards.Add(($"ES {Level(level)} bad debt", Html.Number(es[level], Unit.Usd),
                Html.Interval(r["badDebt"]["esInterval"][level]["lower"], r["badDebt"]["esInterval"][level]["upper"], Unit.Usd)));
        Html.Cards(b.Html, cards);
        b.Note(string.Create(Inv, $"{r["paths"].Number:N0} paths x {r["steps"].Number:N0} steps over {r["horizon"].Text}, {r["cohorts"].Number:N0} cohorts, backend {r["backend"].Text}, seed {r["seed"].Text}.") +
               (r.Optional("manifest") is { } m ? $" Scenario SHA-256 {m["scenarioSha256"].Text[..Math.Min(12, m["scenarioSha256"].Text.Length)]}…, engine {m["engine"]["version"].Text}; the scenario is described below the figures." : "") +
               " Intervals are 95%: Wilson for probabilities, order statistics for VaR, asymptotic normal for ES.");
    }

    private static void Scenario(ReportBuilder b, Field r)
    {
        var facts = new List<(string, string)>();
        var m = r.Optional("manifest");
        if (m is { } manifest)
        {
            facts.Add(("engine", Html.Text(manifest["engine"]["version"]) + " (commit <code>" + Html.Text(manifest["engine"]["commit"]) + "</code>)"));
            facts.Add(("scenario SHA-256", "<code>" + Html.Text(manifest["scenarioSha256"]) + "</code>"));
            if (manifest.Optional("bookSha256") is { } book) facts.Add(("book SHA-256", "<code>" + Html.Text(book) + "</code>"));
        }
        facts.Add(("paths", Html.Number(r["paths"], Unit.Count) + (r.Optional("requestedPaths") is { } req && req.Number != r["paths"].Number ? " of " + Html.Number(req, Unit.Count) + " requested" : "")));
        facts.Add(("seed", Html.Text(r["seed"])));
        facts.Add(("backend", Html.Text(r["backend"])));
        facts.Add(("horizon", Html.Text(r["horizon"])));
        facts.Add(("steps", Html.Number(r["steps"], Unit.Count)));
        facts.Add(("cohorts", Html.Number(r["cohorts"], Unit.Count)));
        var scenario = m?.Optional("scenario");
        if (scenario is { } s)
        {
            foreach (var (name, value) in s.Members)
            {
                if (name is "horizon" or "steps" or "paths" or "seed" or "assets" or "book" or "venue") continue;
                facts.Add((name, Value(value)));
            }
            if (s.Optional("venue") is { } venue)
                foreach (var (name, value) in venue.Members) facts.Add(("venue." + name, Value(value)));
            if (s.Optional("book") is { } book)
            {
                if (BookCohorts(r, book) is { } cohorts) facts.Add(("book.cohorts", cohorts));
                foreach (var (name, value) in book.Members.Where(x => x.Name != "cohorts")) facts.Add(("book." + name, Value(value)));
            }
        }
        Html.Facts(b.Html, facts);
        if (scenario?.Optional("assets") is { } assets)
        {
            var rows = assets.Items.Select(a => (IReadOnlyList<string>)
            [
                Html.Text(a["symbol"]), Html.Number(a["price"], Unit.Plain), Html.Number(a["volatility"], Unit.Percent),
                a.Optional("drift") is { } drift ? Html.Number(drift, Unit.Percent) : "", a.Optional("impact") is { } impact ? Value(impact) : "",
                a.Optional("jumpBeta") is { } beta ? Html.Number(beta, Unit.Plain) : "", a.Optional("collateralWeight") is { } w ? Html.Number(w, Unit.Plain) : "",
            ]).ToList();
            Html.Table(b.Html, ["asset", "price", "volatility (annual)", "drift", "impact", "jump beta", "collateral weight"], rows, textColumns: 1,
                caption: "Assets as run");
        }
        if (scenario is { } whole)
            b.Append("<details><summary>The scenario as run (canonical JSON: loading it gives the same scenario)</summary><pre>")
             .Append(Html.Escape(Indented(whole.Element))).Append("</pre></details>");
        else
            b.Note("This result has no manifest: the scenario it ran is not recorded.");
    }

    /// <summary>The book's cohorts as the scenario gives them: those listed, and those its generator makes (so many per
    /// asset, with the generator's parameters; every parameter is in the book.generator row below); null when the book
    /// has neither.</summary>
    private static string? BookCohorts(Field r, Field book)
    {
        int listed = book.Optional("cohorts")?.Items.Count() ?? 0;
        if (book.Optional("generator") is not { } g)
            return book.Has("cohorts") ? string.Create(Inv, $"{listed:N0} listed") : null;
        var assets = g.Optional("assets")?.Members.Select(m => m.Name).ToList() ?? [];
        var parameters = new List<string>();
        if (g.Optional("cohortsPerAsset") is { } perAsset)
            parameters.Add(Html.Number(perAsset, Unit.Count) + " per asset" + (assets.Count > 0 ? " (" + Html.Escape(string.Join(", ", assets)) + ")" : ""));
        if (g.Optional("seed") is { } seed) parameters.Add("seed " + Html.Text(seed));
        if (g.Optional("crossMarginShare") is { } cross) parameters.Add(Html.Number(cross, Unit.Percent) + " cross-margin");
        if (g.Optional("coinMarginedShare") is { } coin) parameters.Add(Html.Number(coin, Unit.Percent) + " coin-margined");
        if (g.Optional("accountsPerCohort") is { } accounts) parameters.Add(Html.Number(accounts, Unit.Count) + " accounts per cohort");
        // The run's cohort count is the book's: the listed ones and the generated ones together.
        string count = listed == 0
            ? Html.Number(r["cohorts"], Unit.Count) + " cohorts, generated"
            : string.Create(Inv, $"{listed:N0} listed and ") + (g.Optional("cohortsPerAsset") is { } n
                ? string.Create(Inv, $"{n.Number * assets.Count:N0}") : "more") + " generated";
        return count + (parameters.Count > 0 ? ": " + string.Join(", ", parameters) : "");
    }

    /// <summary>A scenario value: a number or string with its pointer, an object or array as compact JSON.</summary>
    private static string Value(Field f) => f.Element.ValueKind switch
    {
        JsonValueKind.Number => Html.Number(f, Unit.Plain),
        JsonValueKind.String or JsonValueKind.True or JsonValueKind.False => Html.Text(f),
        JsonValueKind.Null => "null",
        _ => "<code>" + Html.Escape(Compact(f.Element)) + "</code>",
    };

    /// <summary>An object or array as one line of JSON for people: numbers without float noise
    /// (<see cref="Html.JsonNumber"/>; the canonical JSON below keeps them exact).</summary>
    public static string Compact(JsonElement e)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream)) WriteReadable(w, e);
        return Encoding.UTF8.GetString(stream.ToArray()).Replace(",\"", ", \"", StringComparison.Ordinal).Replace(":", ": ", StringComparison.Ordinal);
    }

    private static void WriteReadable(Utf8JsonWriter w, JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
                w.WriteStartObject();
                foreach (var p in e.EnumerateObject())
                {
                    w.WritePropertyName(p.Name);
                    WriteReadable(w, p.Value);
                }
                w.WriteEndObject();
                break;
            case JsonValueKind.Array:
                w.WriteStartArray();
                foreach (var item in e.EnumerateArray()) WriteReadable(w, item);
                w.WriteEndArray();
                break;
            case JsonValueKind.Number:
                w.WriteRawValue(Html.JsonNumber(e));
                break;
            default:
                e.WriteTo(w);
                break;
        }
    }

    private static string Indented(JsonElement e)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true })) e.WriteTo(w);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Probabilities(ReportBuilder b, Field r)
    {
        var p = r["probabilities"];
        var rows = Events.Where(e => p.Has(e.Key)).Select(e => (IReadOnlyList<string>)[Html.Escape(e.Label), .. Html.Figure(p[e.Key], Unit.Percent)]);
        Html.Table(b.Html, ["event", "probability", "95% interval (Wilson)"], rows);
        b.Note("A cascade is a path on which the liquidation-driven move of some asset reached the scenario's cascade threshold.");
    }

    private static void Losses(ReportBuilder b, Field r)
    {
        Field debt = r["badDebt"], liquidated = r["liquidatedNotional"];
        var rows = new List<IReadOnlyList<string>>
        {
            new[] { "mean", Html.Number(debt["mean"], Unit.Usd), "s.e. " + Html.Number(debt["standardError"], Unit.Usd),
                    Html.Number(liquidated["mean"], Unit.Usd), "s.e. " + Html.Number(liquidated["standardError"], Unit.Usd) },
        };
        foreach (var (kind, label) in new[] { ("var", "VaR"), ("es", "ES") })
            foreach (var (level, _) in debt[kind].Members)
                rows.Add([$"{label} {Level(level)}", Html.Number(debt[kind][level], Unit.Usd),
                          Html.Interval(debt[kind + "Interval"][level]["lower"], debt[kind + "Interval"][level]["upper"], Unit.Usd),
                          liquidated[kind].Has(level) ? Html.Number(liquidated[kind][level], Unit.Usd) : "",
                          liquidated[kind].Has(level) ? Html.Interval(liquidated[kind + "Interval"][level]["lower"], liquidated[kind + "Interval"][level]["upper"], Unit.Usd) : ""]);
        Html.Table(b.Html, ["figure (USD per path)", "bad debt", "95% interval", "liquidated notional", "95% interval"], rows);
        b.Note("VaR at level a is the ceil(n a)-th smallest per-path value; ES the mean of the largest ceil(n (1 - a)). Both are exact (no binning). " +
               "A bound shown as n/a does not exist at this path count.");
    }

    /// <summary>The VaR and ES lines of the bad debt (dashed VaR, solid ES), named with their values in the legend.</summary>
    private static void TailMarkers(Plot plot, Field debt)
    {
        int i = 0;
        foreach (var (level, value) in debt["var"].Members)
        {
            if (value.Number > 0)
                Charts.LegendLine(plot, Math.Log10(value.Number), $"VaR {Level(level)} {Html.Format(value.Number, Unit.Usd)}", LevelColor(i), LinePattern.Dashed);
            if (debt["es"].Optional(level) is { } es && es.Number > 0)
                Charts.LegendLine(plot, Math.Log10(es.Number), $"ES {Level(level)} {Html.Format(es.Number, Unit.Usd)}", LevelColor(i), LinePattern.Solid);
            i++;
        }
    }

    /// <summary>The bad debt histogram's bins at or above $1, with the decades they span.</summary>
    /// <summary>The exceedance curve on log10 scales: P(X >= lower edge of each bin) is the mass of that bin and every
    /// bin above it; bins with nothing at or above them are left out.</summary>
    internal static (List<double> Log10X, List<double> Log10P) Exceedance(List<(double Lo, double Hi, double Count)> bins, double total)
    {
        var xs = new List<double>();
        var ys = new List<double>();
        double above = bins.Sum(x => x.Count);
        foreach (var (lo, _, count) in bins)
        {
            if (above > 0)
            {
                xs.Add(Math.Log10(lo));
                ys.Add(Math.Log10(above / total));
            }
            above -= count;
        }
        return (xs, ys);
    }

    internal static (List<(double Lo, double Hi, double Count)> Bins, double Total, double Zero, double BelowOne, int LoDecade, int HiDecade)? DebtBins(Field r)
    {
        if (r["histograms"].Optional("badDebt") is not { } h) return null;
        double[] edges = h["edges"].Numbers, counts = h["counts"].Numbers;
        if (counts.Length != edges.Length + 1)
            throw new ReportException($"{r.Source}: {h.Where}: expected one more count than edges, got {counts.Length} counts and {edges.Length} edges");
        if (edges.Length < 2)
            throw new ReportException($"{r.Source}: {h.Where}: expected at least two edges, got {edges.Length}");
        double total = counts.Sum(), belowOne = 0;
        var bins = new List<(double, double, double)>();
        for (int k = 1; k < edges.Length; k++)
        {
            if (edges[k - 1] < 1) belowOne += counts[k];
            else bins.Add((edges[k - 1], edges[k], counts[k]));
        }
        if (counts[^1] > 0) bins.Add((edges[^1], edges[^1] * (edges[^1] / edges[^2]), counts[^1]));
        var used = bins.Where(x => x.Item3 > 0).ToList();
        var debt = r["badDebt"];
        var tails = debt["var"].Members.Concat(debt["es"].Members).Select(m => m.Value.Number).Where(v => v > 0).ToList();
        double lo = used.Select(x => x.Item1).Concat(tails).DefaultIfEmpty(1).Min();
        double hi = used.Select(x => x.Item2).Concat(tails).DefaultIfEmpty(10).Max();
        int loDecade = (int)Math.Floor(Math.Log10(Math.Max(lo, 1))), hiDecade = Math.Max(loDecade + 1, (int)Math.Ceiling(Math.Log10(hi)));
        return (bins, total, counts[0], belowOne, loDecade, hiDecade);
    }

    private static void Histogram(ReportBuilder b, Field r)
    {
        if (DebtBins(r) is not { } h || h.Total <= 0)
        {
            b.Note("The result has no bad debt histogram.");
            return;
        }
        var plot = Charts.New("bad debt per path (USD, log scale)", "share of paths");
        var bars = h.Bins.Where(x => x.Count > 0).Select(x => new Bar
        {
            Position = (Math.Log10(x.Lo) + Math.Log10(x.Hi)) / 2,
            Size = Math.Log10(x.Hi) - Math.Log10(x.Lo),
            Value = 100 * x.Count / h.Total,
            FillColor = Charts.Blue.WithAlpha(0.75),
            LineWidth = 0,
        }).ToList();
        plot.Add.Bars(bars);
        TailMarkers(plot, r["badDebt"]);
        Charts.LogUsdTicks(plot.Axes.Bottom, h.LoDecade, h.HiDecade);
        Charts.PercentLabels(plot.Axes.Left);
        plot.Axes.SetLimitsX(h.LoDecade, h.HiDecade);
        plot.Axes.SetLimitsY(0, Math.Max(1e-9, bars.Select(x => x.Value).DefaultIfEmpty(1).Max() * 1.15));
        Charts.Legend(plot, Alignment.UpperLeft);
        string zero = h.Zero > 0 ? string.Create(Inv, $" {h.Zero:N0} paths ({100 * h.Zero / h.Total:0.##}%) had no bad debt") : "";
        string small = h.BelowOne > 0 ? string.Create(Inv, $"{(zero.Length > 0 ? " and" : "")} {h.BelowOne:N0} had less than $1") : "";
        b.Chart("bad-debt-histogram",
            string.Create(Inv, $"Bad debt per path: the share of the {h.Total:N0} paths in each bin of the run's histogram (log scale).") +
            (zero.Length + small.Length > 0 ? zero + small + "; they are not drawn." : "") +
            " Dashed lines: VaR; solid lines: ES (exact, from every path).", plot, 760, 400);
    }

    private static void Exceedance(ReportBuilder b, Field r)
    {
        if (DebtBins(r) is not { } h || h.Total <= 0) return;
        var (xs, ys) = Exceedance(h.Bins, h.Total);
        var plot = Charts.New("bad debt per path x (USD, log scale)", "P(bad debt >= x) (log scale)");
        if (xs.Count > 0)
        {
            var curve = plot.Add.ScatterLine(xs.ToArray(), ys.ToArray(), Charts.Blue);
            curve.LineWidth = 2;
            curve.MarkerSize = 4;
            curve.LegendText = "from the histogram";
        }
        var debt = r["badDebt"];
        var points = debt["var"].Members.Where(m => m.Value.Number > 0 && double.TryParse(m.Name, NumberStyles.Float, Inv, out _))
            .Select(m => (X: Math.Log10(m.Value.Number), Y: Math.Log10(1 - double.Parse(m.Name, Inv)))).ToList();
        if (points.Count > 0)
        {
            var var = plot.Add.Markers(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray(), MarkerShape.FilledDiamond, 9, Charts.Red);
            var.LegendText = "VaR at its level (exact)";
        }
        TailMarkers(plot, debt);
        double least = ys.Concat(points.Select(p => p.Y)).DefaultIfEmpty(-1).Min();
        int lowest = (int)Math.Floor(least - 0.25); // room below the last point
        Charts.LogUsdTicks(plot.Axes.Bottom, h.LoDecade, h.HiDecade);
        Charts.LogProbabilityTicks(plot.Axes.Left, Math.Min(-1, lowest));
        plot.Axes.SetLimitsX(h.LoDecade, h.HiDecade);
        plot.Axes.SetLimitsY(Math.Min(-1, lowest), 0.05);
        Charts.Legend(plot, Alignment.LowerLeft);
        b.Chart("bad-debt-exceedance",
            "Exceedance curve of the bad debt per path: the share of paths with at least x, on log scales (the tail is where a committee looks). " +
            "Diamonds: VaR at 1 - level; dashed lines VaR, solid lines ES.", plot, 760, 420);
    }

    private static void Assets(ReportBuilder b, Field r)
    {
        var assets = r["assets"].Members.ToList();
        var rows = assets.Select(a => (IReadOnlyList<string>)
        [
            Html.Escape(a.Name),
            Html.Number(a.Value["maxDrawdown"]["mean"], Unit.Percent), Html.Number(a.Value["maxDrawdown"]["standardError"], Unit.Percent),
            Html.Number(a.Value["exogenousMaxDrawdown"]["mean"], Unit.Percent), Html.Number(a.Value["exogenousMaxDrawdown"]["standardError"], Unit.Percent),
            Html.Number(a.Value["amplification"], Unit.Ratio),
            Html.Number(a.Value["liquidatedNotional"]["mean"], Unit.Usd),
            a.Value.Optional("maxDisplacement") is { } disp ? Html.Number(disp["mean"], Unit.Percent) : "",
            a.Value.Optional("minDepthFactor") is { } depth ? Html.Number(depth["mean"], Unit.Plain) : "",
        ]).ToList();
        Html.Table(b.Html, ["asset", "max drawdown", "s.e.", "exogenous", "s.e.", "amplification", "liquidated / path", "max displacement", "min depth"], rows);
        b.Note("Max drawdown: the mean over paths of the deepest fall below the starting price (1 - lowest mid / start; not peak to trough); exogenous: the price without the liquidations' impact. " +
               "Amplification = mean traded drawdown / mean exogenous drawdown; min depth: the mean of each path's lowest depth factor (1 unless depth thins).");
        if (assets.Count == 0) return;
        var plot = Charts.New("", "mean max drawdown");
        var bars = new List<Bar>();
        for (int i = 0; i < assets.Count; i++)
        {
            var a = assets[i].Value;
            bars.Add(new Bar { Position = i - 0.19, Size = 0.36, Value = 100 * a["maxDrawdown"]["mean"].Number, Error = 196 * Finite(a["maxDrawdown"]["standardError"].Number), FillColor = Charts.Blue, LineWidth = 0 });
            bars.Add(new Bar { Position = i + 0.19, Size = 0.36, Value = 100 * a["exogenousMaxDrawdown"]["mean"].Number, Error = 196 * Finite(a["exogenousMaxDrawdown"]["standardError"].Number), FillColor = Charts.Grey.WithAlpha(0.6), LineWidth = 0 });
        }
        plot.Add.Bars(bars);
        Charts.CategoryTicks(plot.Axes.Bottom, assets.Select(a => $"{a.Name} ({Html.Format(a.Value["amplification"].Number, Unit.Ratio)})").ToList());
        Charts.PercentLabels(plot.Axes.Left);
        plot.Axes.SetLimitsX(-0.6, assets.Count - 0.4);
        plot.Axes.SetLimitsY(0, bars.Max(x => x.Value + x.Error) * 1.3 + 1e-9);
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "traded price", FillColor = Charts.Blue });
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "exogenous price (no impact)", FillColor = Charts.Grey.WithAlpha(0.6) });
        Charts.Legend(plot, Alignment.UpperLeft);
        b.Chart("drawdown-by-asset",
            "Mean maximum drawdown per asset, traded and exogenous, with 95% error bars (1.96 s.e.); the amplification is beside each asset's name.", plot, 760, 340);
    }

    private static double Finite(double v) => double.IsFinite(v) ? v : 0;

    /// <summary>The ladder (docs/model.md, "The liquidation ladder"; optional, older results have none): per asset and
    /// direction the notional within 5% and 10% and the first supercritical level, and one chart of the notional per level,
    /// falls to the left and rises to the right, against each asset's depth per step.</summary>
    /// <param name="b">The page.</param>
    /// <param name="ladder">The <c>ladder</c> block.</param>
    /// <param name="afterRun">Whether a run's Monte Carlo figures are above it (<c>book --json</c>'s section has none).</param>
    internal static void Ladder(ReportBuilder b, Field ladder, bool afterRun = true)
    {
        double step = ladder["stepPercent"].Number;
        var assets = ladder["assets"].Members.ToList();
        string Within(Field side, double percent)
        {
            double[] move = side["move"].Numbers;
            int last = 0;
            for (int k = 1; k < move.Length && move[k] <= percent / 100 * (1 + 1e-12); k++) last = k;
            return Html.Number(side["cumulative"][last], Unit.Usd);
        }
        string First(Field side) => side["firstSupercritical"].IsNull
            ? "none"
            : Html.Number(side["move"][(int)side["firstSupercritical"].Number], Unit.Percent);
        var rows = assets.Select(a => (IReadOnlyList<string>)
        [
            Html.Escape(a.Name), Html.Number(a.Value["depthPerPercent"], Unit.Usd),
            Within(a.Value["down"], 5), Within(a.Value["down"], 10), First(a.Value["down"]),
            Within(a.Value["up"], 5), Within(a.Value["up"], 10), First(a.Value["up"]),
        ]).ToList();
        Html.Table(b.Html, ["asset", "depth per 1%", "falls: within 5%", "within 10%", "supercritical from", "rises: within 5%", "within 10%", "supercritical from"], rows);
        b.Note(string.Create(Inv, $"Each asset moved alone from the starting prices in {ladder["levels"].Number:0} steps of {step:0.##}% each way: the position notional in the asset (at the starting prices) of the cohorts that become liquidatable within the move. ") +
               "Supercritical from a level: the liquidations of that move and the smaller ones would move the price through the asset's impact at least as far again. " +
               "A static, start-of-path diagnostic (no oracle delay, depth thinning, capacity or returning liquidity) that " +
               (afterRun ? "explains the Monte Carlo figures above" : "explains what a run of the scenario will show") + "; docs/interpreting.md says how to read it.");
        if (assets.Count == 0) return;
        var plot = Charts.New("move of the asset alone (%; falls to the left, rises to the right)", "notional liquidated at the level");
        var bars = new List<Bar>();
        double width = 0.8 / assets.Count, top = 0;
        for (int i = 0; i < assets.Count; i++)
        {
            var a = assets[i].Value;
            double offset = (i - (assets.Count - 1) / 2.0) * width;
            foreach (var (name, sign) in new[] { ("down", -1.0), ("up", 1.0) })
            {
                double[] notional = a[name]["notional"].Numbers;
                for (int k = 1; k < notional.Length; k++)
                {
                    if (!(notional[k] > 0)) continue;
                    bars.Add(new Bar { Position = sign * k * step + offset * step, Size = width * step, Value = notional[k], FillColor = Charts.Series(i), LineWidth = 0 });
                    top = Math.Max(top, notional[k]);
                }
            }
            double depth = a["depthPerPercent"].Number * step;
            if (double.IsFinite(depth) && depth > 0)
            {
                var line = plot.Add.HorizontalLine(depth, 1.5f, Charts.Series(i), LinePattern.Dashed);
                line.LegendText = $"{assets[i].Name}: depth per {step.ToString("0.##", Inv)}% {Html.Format(depth, Unit.Usd)}";
                top = Math.Max(top, depth);
            }
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = assets[i].Name + " notional", FillColor = Charts.Series(i) });
        }
        if (bars.Count > 0) plot.Add.Bars(bars);
        double levels = ladder["levels"].Number;
        plot.Axes.SetLimitsX(-(levels + 1) * step, (levels + 1) * step);
        plot.Axes.SetLimitsY(0, top * 1.15 + 1e-9);
        Charts.UsdLabels(plot.Axes.Left);
        Charts.PercentLabels(plot.Axes.Bottom);
        Charts.LegendBelow(plot);
        b.Chart("liquidation-ladder",
            "Liquidation ladder: position notional that first becomes liquidatable at each level of a one-asset move (bars, one colour per asset), against each asset's depth per step (dashed).",
            plot, 860, 420);
    }

    private static void Cohorts(ReportBuilder b, Field r)
    {
        if (r.Optional("cohortAttribution") is not { } cohorts) return;
        var top = cohorts.Items.Where(c => c.Optional("tailShare") is { } s && s.Number > 0)
            .OrderByDescending(c => c["tailShare"].Number).Take(10).ToList();
        if (top.Count == 0) return;
        b.Heading(3, "Cohorts behind the tail");
        var rows = top.Select(c => (IReadOnlyList<string>)
        [
            Html.Text(c["name"]), Html.Escape(string.Join("+", c["assets"].Items.Select(a => a.Text))), Html.Text(c["side"]),
            Html.Number(c["tailShare"], Unit.Percent), .. Html.Figure(c["pLiquidated"], Unit.Percent),
            Html.Number(c["badDebt"], Unit.Usd), Html.Number(c["liquidatedNotional"], Unit.Usd), Html.Number(c["leverage"], Unit.Leverage),
            Html.Number(c["notional"], Unit.Usd),
        ]);
        Html.Table(b.Html, ["cohort", "assets", "side", "tail share", "P(liquidated)", "95% interval", "bad debt / path", "liquidated / path", "leverage", "notional"], rows,
            textColumns: 3, caption: string.Create(Inv, $"The {top.Count} cohorts with the largest share of the bad debt on the 1% of paths with the most"),
            // Ten columns: the compact style (smaller type and padding, headers that wrap) keeps them inside the card
            // at a 1,400 px window instead of scrolling sideways.
            cssClass: "wide");
    }

    /// <summary>The insurance fund, the mechanisms' means, rounds and work; the venues' means are left to their section
    /// (with one venue they are zeros), and the front-runner's when its section is shown.</summary>
    private static void Other(ReportBuilder b, Field r, bool frontRunnerShown)
    {
        var facts = new List<(string, string)>();
        string Mean(Field f, Unit unit) => Html.Number(f["mean"], unit) + " <span class=\"se\">(s.e. " + Html.Number(f["standardError"], unit) + ")</span>";
        if (r.Optional("insuranceFund") is { } fund)
        {
            facts.Add(("insurance fund at the start", Html.Number(fund["start"], Unit.Usd)));
            foreach (var (name, label) in new[] { ("end", "mean at the end"), ("minimum", "mean minimum"), ("penalties", "mean penalties received"),
                         ("badDebtPaid", "mean bad debt paid"), ("uncoveredLoss", "mean uncovered loss (after ADL)") })
                if (fund.Optional(name) is { } f) facts.Add(("insurance fund: " + label, Mean(f, Unit.Usd)));
        }
        // The mechanisms' means, as the output schema lists them (adl.lossAbsorbed is "adl": {"lossAbsorbed": ...}).
        foreach (var row in OutputSchema.MechanismRows.Where(row => row.Has(OutputAggregations.Mean) && row.Mechanism != VenuesSection.Mechanism &&
                                                                    !(frontRunnerShown && row.Mechanism == FrontRunnerSection.Mechanism)))
        {
            if (r.Optional(row.Mechanism!)?.Optional(row.MemberName) is { } figure)
                facts.Add(($"mean {row.Label}", Mean(figure, row.Unit == "USD" ? Unit.Usd : Unit.Plain)));
        }
        if (r.Optional("maxRoundsInStep") is { } rounds) facts.Add(("liquidation rounds: mean of the largest in a step", Mean(rounds, Unit.Plain)));
        if (r.Optional("roundCapHits") is { } cap) facts.Add(("paths hitting the round cap", Html.Number(cap, Unit.Count)));
        if (r.Optional("work") is { } work)
            foreach (var (name, value) in work.Members) facts.Add(("work: " + name, Html.Number(value, Unit.Count)));
        Html.Facts(b.Html, facts);
    }

    private static void Warnings(ReportBuilder b, Field r)
    {
        var warnings = r.Optional("warnings")?.Items.ToList() ?? [];
        if (warnings.Count == 0) return;
        b.Heading(3, "Warnings");
        b.Append("<ul class=\"warnings\">");
        foreach (var w in warnings) b.Append("<li>").Append(Html.Text(w)).Append("</li>");
        b.Append("</ul>");
    }

    private static void RunFacts(ReportBuilder b, Field r)
    {
        if (r.Optional("run") is not { } run) return;
        var facts = run.Members.Select(m => (m.Name, m.Value.Element.ValueKind switch
        {
            JsonValueKind.Number => Html.Number(m.Value, m.Name == "elapsedSeconds" ? Unit.Plain : Unit.Count),
            JsonValueKind.Array => Html.Escape(string.Join(", ", m.Value.Items.Select(x => x.Text))),
            JsonValueKind.Null => "",
            JsonValueKind.String when m.Name == "commandLine" => "<code>" + Html.Text(m.Value) + "</code>",
            _ => Html.Text(m.Value),
        }));
        Html.Facts(b.Html, facts);
        b.Note("These facts vary between identical runs (timings, host); everything above does not.");
    }
}
