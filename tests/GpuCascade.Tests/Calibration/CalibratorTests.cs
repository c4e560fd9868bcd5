using System.Text.Json.Nodes;
using GpuCascade.Book;
using GpuCascade.Calibration;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;

namespace GpuCascade.Tests.Calibration;

public class CalibratorTests
{
    private static ScenarioDocument Single(long paths = 20_000) => ScenarioDocument.FromYaml(CalibrationScenarios.SingleLong(paths));

    private static CalibrationOptions MarginFor5Percent(long paths) => new()
    {
        Key = "venue.maintenanceMargin", Low = 0.02, High = 0.25,
        Targets = [CalibrationTarget.Parse("probabilities.anyLiquidation<=0.05")],
        UseEstimate = true, Prefer = Preference.High, Paths = paths,
    };

    [Test]
    public void CalibratedMarginMatchesTheFirstPassageClosedForm()
    {
        const long paths = 20_000;
        var result = Calibrator.Run(Single(paths), MarginFor5Percent(paths));
        var regime = result.Regimes.Single();
        Assert.That(regime.Outcome, Is.EqualTo(CalibrationOutcome.Bisected));
        double chosen = regime.Chosen!.Value;

        // The closed form's m*, and the sampling error of the estimated P carried to m through the slope dP/dm.
        double expected = CalibrationScenarios.MarginFor(0.05);
        double slope = (CalibrationScenarios.LiquidationProbability(expected + 1e-4) - CalibrationScenarios.LiquidationProbability(expected - 1e-4)) / 2e-4;
        double marginError = Math.Sqrt(0.05 * 0.95 / paths) / slope;
        TestContext.Out.WriteLine($"chosen {chosen}, closed form {expected}, resolution {result.Resolution}, sampling s.e. in m {marginError}");
        Assert.That(chosen, Is.EqualTo(expected).Within(result.Resolution + 4 * marginError));

        // The curve rises with m; the chosen value is feasible, the next one examined above it is not.
        Assert.That(regime.Curve.Select(c => c.Figure("probabilities.anyLiquidation").Estimate), Is.Ordered);
        Assert.That(regime.Curve.Where(c => c.Value <= chosen), Has.All.Matches<CalibrationCandidate>(c => c.Feasible));
        Assert.That(regime.Curve.First(c => c.Value > chosen).Value - chosen, Is.LessThanOrEqualTo(result.Resolution));
        Assert.That(regime.OutOfSample!.Seed, Is.EqualTo(12UL));
        Assert.That(result.Regimes[0].Curve.Select(c => c.DeleveragedNotional), Is.All.EqualTo(0), "m < 0.8 / L: nobody below IM");
        // The fragment gives the value to the resolution's decimals, rounded towards the feasible side (here down: the
        // high end is preferred, the larger values failed), never further from it than the resolution.
        string rounded = CalibrationReport.RoundedToResolution(result, regime);
        Assert.That(CalibrationReport.Yaml(result), Does.Contain($"venue:\n  maintenanceMargin: {rounded}\n"));
        double pasted = double.Parse(rounded, System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(rounded.Length, Is.LessThanOrEqualTo("0.1234".Length), "no more decimals than the resolution 0.00023 needs");
        Assert.That(pasted, Is.LessThanOrEqualTo(chosen).And.GreaterThan(chosen - result.Resolution), "rounded towards the feasible side");
    }

    [Test]
    public void NoFeasibleValueIsReportedWithTheCurve()
    {
        var result = Calibrator.Run(Single(2048), MarginFor5Percent(2048) with
        {
            Targets = [CalibrationTarget.Parse("probabilities.anyLiquidation<=0")], UseEstimate = false, Grid = 3,
        });
        Assert.That(result.Feasible, Is.False);
        Assert.That(result.Regimes[0].Outcome, Is.EqualTo(CalibrationOutcome.Infeasible));
        Assert.That(result.Regimes[0].Curve, Has.Count.EqualTo(3));
        Assert.That(result.Regimes[0].OutOfSample, Is.Null);
    }

    [Test]
    public void EveryValueFeasibleReturnsThePreferredEnd()
    {
        var result = Calibrator.Run(Single(2048), MarginFor5Percent(2048) with
        {
            Targets = [CalibrationTarget.Parse("probabilities.anyLiquidation<=1")], Grid = 3, Prefer = Preference.Low,
        });
        Assert.That(result.Regimes[0].Outcome, Is.EqualTo(CalibrationOutcome.AllFeasible));
        Assert.That(result.Regimes[0].Chosen, Is.EqualTo(0.02));
        Assert.That(result.Warnings, Has.Some.Contains("every candidate"));
    }

    [Test]
    public void TargetsPullingBothWaysGiveAnInteriorIntervalAndANonMonotoneWarning()
    {
        // A higher margin liquidates more often but earlier, so leaves less bad debt: anyLiquidation bounds it from
        // above, bad debt from below. Single long with a 20% crash jump possible every step.
        string yaml = CalibrationScenarios.SingleLong(4096).Replace("venue:", "jumps: {intensity: 20, meanLogSize: -0.25, logSizeVolatility: 0.05}\nvenue:");
        var doc = ScenarioDocument.FromYaml(yaml);
        var probe = Calibrator.Run(doc, MarginFor5Percent(4096) with
        {
            Targets = [CalibrationTarget.Parse("probabilities.anyLiquidation<=1")], Grid = 5,
        });
        var curve = probe.Regimes[0].Curve;
        double liquidationBound = 0.5 * (curve[2].Figure("probabilities.anyLiquidation").Estimate + curve[3].Figure("probabilities.anyLiquidation").Estimate);
        double debtBound = 0.5 * (curve[0].Figure("probabilities.badDebt").Estimate + curve[1].Figure("probabilities.badDebt").Estimate);
        Assume.That(curve[0].Figure("probabilities.badDebt").Estimate, Is.GreaterThan(curve[1].Figure("probabilities.badDebt").Estimate));

        var result = Calibrator.Run(doc, MarginFor5Percent(4096) with
        {
            Targets = [CalibrationTarget.Parse($"probabilities.anyLiquidation<={liquidationBound}"),
                       CalibrationTarget.Parse($"probabilities.badDebt<={debtBound}")],
            Grid = 5, Prefer = Preference.Low,
        });
        var regime = result.Regimes[0];
        Assert.That(regime.Curve.Take(5).Select(c => c.Value).Distinct().Count(), Is.GreaterThanOrEqualTo(3));
        Assert.That(regime.NonMonotone, Is.True);
        Assert.That(result.Warnings, Has.Some.StartsWith("non-monotone"));
        Assert.That(regime.FeasibleIntervals, Is.Not.Empty);
        Assert.That(regime.Chosen, Is.GreaterThan(0.02).And.LessThan(0.25));
        Assert.That(regime.Outcome, Is.EqualTo(CalibrationOutcome.Bisected));
    }

    [Test]
    public void ACheckpointResumesToTheIdenticalResult()
    {
        string dir = Directory.CreateTempSubdirectory("gpucascade-cal-").FullName;
        try
        {
            string path = Path.Combine(dir, "cal.ckpt");
            var options = MarginFor5Percent(2048) with { Grid = 4, Resolution = 0.01, CheckpointPath = path };
            var first = Calibrator.Run(Single(2048), options);
            Assert.That(first.ResumedCandidates, Is.EqualTo(0));
            Assert.That(File.Exists(path));
            var second = Calibrator.Run(Single(2048), options);
            int candidates = second.Regimes[0].Curve.Count + 1; // and the out-of-sample run
            Assert.That(second.ResumedCandidates, Is.EqualTo(candidates));
            Assert.That(Without(CalibrationReport.Json(second)), Is.EqualTo(Without(CalibrationReport.Json(first))));

            // An interrupted one: keep only the first two candidates in the file, as after a crash.
            var root = JsonNode.Parse(File.ReadAllText(path))!;
            var list = root["candidates"]!.AsArray();
            while (list.Count > 2) list.RemoveAt(list.Count - 1);
            File.WriteAllText(path, root.ToJsonString());
            var resumed = Calibrator.Run(Single(2048), options);
            Assert.That(resumed.ResumedCandidates, Is.EqualTo(2));
            Assert.That(Without(CalibrationReport.Json(resumed)), Is.EqualTo(Without(CalibrationReport.Json(first))));

            var other = options with { Grid = 5 };
            Assert.That(() => Calibrator.Run(Single(2048), other), Throws.TypeOf<CheckpointException>().With.Message.Contains("other arguments"));
            // The same text changed by key is another scenario.
            Assert.That(() => Calibrator.Run(Single(2048).With("venue.liquidationPenalty", 0.01), options),
                Throws.TypeOf<CheckpointException>().With.Message.Contains("other arguments"));
            File.WriteAllText(path, "{ not json");
            Assert.That(() => Calibrator.Run(Single(2048), options), Throws.TypeOf<CheckpointException>().With.Message.Contains("unreadable"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string Without(string json)
    {
        var node = JsonNode.Parse(json)!.AsObject();
        node.Remove("run");
        return node.ToJsonString();
    }

    [Test]
    public void CancellationStopsWithWhatIsFinished()
    {
        using var cts = new CancellationTokenSource();
        int seen = 0;
        var result = Calibrator.Run(Single(1024), MarginFor5Percent(1024) with
        {
            Log = _ => { if (++seen == 2) cts.Cancel(); },
        }, cts.Token);
        Assert.That(result.Cancelled, Is.True);
        Assert.That(result.Feasible, Is.False);
        Assert.That(result.Regimes[0].Outcome, Is.EqualTo(CalibrationOutcome.Cancelled));
        Assert.That(result.Regimes[0].Curve, Has.Count.EqualTo(2));
    }

    [Test]
    public void RegimesGiveAMarginTableAndTheValueThatHoldsInEvery()
    {
        var result = Calibrator.Run(Single(2048), MarginFor5Percent(2048) with
        {
            Key = "venue.maintenanceMargin", Low = 0.01, High = 0.25, Grid = 5, Resolution = 0.005,
            Targets = [CalibrationTarget.Parse("probabilities.anyLiquidation<=0.2")], Prefer = Preference.High,
            Regimes = VolatilityRegime.ParseList("calm=0.5,normal=1,stressed=1.5"),
        });
        Assert.That(result.Regimes.Select(r => r.Regime.Name), Is.EqualTo(new[] { "calm", "normal", "stressed" }));
        var chosen = result.Regimes.Select(r => r.Chosen!.Value).ToList();
        Assert.That(chosen[0], Is.GreaterThanOrEqualTo(chosen[1]));
        Assert.That(chosen[1], Is.GreaterThan(chosen[2]), "more volatility, a lower margin keeps liquidations at 20%");
        Assert.That(result.AllRegimes!.Value, Is.EqualTo(chosen.Min()));
        Assert.That(result.AllRegimes.Holds.Select(h => h.Value), Is.All.True);
        var stressed = result.Regimes[2].Margins!;
        Assert.That(stressed.Volatility.Single().Value, Is.EqualTo(1.2).Within(1e-12));
        Assert.That(stressed.MaxLeverage.Single().Value, Is.EqualTo(InitialMargin.MaintenanceShare / chosen[2]).Within(1e-9));
        var json = JsonNode.Parse(CalibrationReport.Json(result))!;
        Assert.That(json["chosen"]!["stressed"]!.GetValue<double>(), Is.EqualTo(chosen[2]));
        Assert.That(json["marginTable"]!.AsArray(), Has.Count.EqualTo(3));
    }

    [Test]
    public void PricingAddsUpToTheMeanBadDebt()
    {
        var result = Calibrator.Run(ScenarioDocument.Default, new CalibrationOptions
        {
            Key = "venue.maintenanceMargin.ETH", Low = 0.005, High = 0.02, Grid = 2, Resolution = 0.02, Paths = 1024,
            Targets = [CalibrationTarget.Parse("badDebt.mean<=1e12")],
        });
        var regime = result.Regimes[0];
        var at = regime.Curve.First(c => c.Value == regime.Chosen);
        Assert.That(regime.Pricing.Sum(p => p.ExpectedBadDebt), Is.EqualTo(at.Figure("badDebt.mean").Estimate).Within(1e-9).Percent);
        Assert.That(regime.Pricing.Sum(p => p.Cohorts), Is.EqualTo(300));
        foreach (var p in regime.Pricing)
            Assert.That(p.FeeBasisPoints, Is.EqualTo(1e4 * p.ExpectedBadDebt / p.Notional).Within(1e-12).Percent);
    }

    [Test]
    public void IntegerKeysGetIntegerCandidates()
    {
        var result = Calibrator.Run(ScenarioDocument.Default, new CalibrationOptions
        {
            Key = "venue.oracleDelaySteps", Low = 0, High = 3, Grid = 9, Paths = 1024,
            Targets = [CalibrationTarget.Parse("badDebt.mean<=1e12")],
        });
        Assert.That(result.IntegerKey, Is.True);
        Assert.That(result.Regimes[0].Curve.Select(c => c.Value), Is.EqualTo(new[] { 0.0, 1, 2, 3 }));
        Assert.That(() => Calibrator.Run(ScenarioDocument.Default, new CalibrationOptions
        {
            Key = "venue.oracleDelaySteps", Low = 0, High = 2.5, Paths = 1024, Targets = [CalibrationTarget.Parse("badDebt.mean<=1")],
        }), Throws.TypeOf<ArgumentException>().Or.TypeOf<ScenarioException>());
    }

    [Test]
    public void AGridWithinTheResolutionNeedsNoBisection()
    {
        var result = Calibrator.Run(Single(1024), MarginFor5Percent(1024) with { Grid = 3, Resolution = 0.2 });
        Assert.That(result.Regimes[0].Outcome, Is.EqualTo(CalibrationOutcome.GridWithinResolution));
        Assert.That(result.Regimes[0].Curve, Has.Count.EqualTo(3));
    }

    [Test]
    public void TheFragmentOfATrancheSaysPartial()
    {
        var result = Calibrator.Run(Single(1024), MarginFor5Percent(1024) with
        {
            Key = "venue.liquidation.tranche", Low = 0.1, High = 1, Grid = 2, Targets = [CalibrationTarget.Parse("probabilities.anyLiquidation<=1")],
            Prefer = Preference.Low,
        });
        string yaml = CalibrationReport.Yaml(result);
        Assert.That(yaml, Does.Contain("venue:\n  liquidation:\n    mode: partial\n    tranche: 0.1\n"));
        string pasted = CalibrationScenarios.SingleLong(1024).Replace("venue:\n", "venue:\n  liquidation: {mode: partial, tranche: 0.1}\n");
        Assert.That(ScenarioLoader.LoadYaml(pasted).Venue.Liquidation, Is.EqualTo(LiquidationPolicy.Partial(0.1)));
    }

    [Test]
    public void PricingKeepsCohortsWithoutCollateral()
    {
        // Bought at 50, now 100, no collateral: equity from its profit, leverage gross / weighted collateral = infinity.
        string yaml = CalibrationScenarios.SingleLong(1024).Replace("- {name: long3x, asset: BTC, side: long, notional: 1e6, leverage: 3}",
            "- {name: long3x, asset: BTC, side: long, notional: 1e6, leverage: 3}\n    - {name: free, positions: [{asset: BTC, side: long, notional: 5e5, entryPrice: 50}], collateral: {USD: 0}}");
        var result = GpuCascade.Simulation.SimulationEngine.Run(ScenarioLoader.LoadYaml(yaml));
        Assume.That(result.CohortAttribution.Any(c => double.IsPositiveInfinity(c.Leverage)));
        var rows = Calibrator.Pricing("base", result);
        Assert.That(rows.Sum(r => r.Cohorts), Is.EqualTo(2));
        Assert.That(rows.Sum(r => r.ExpectedBadDebt), Is.EqualTo(result.BadDebt.Mean).Within(1e-9).Percent);
    }

    [Test]
    public void TargetAndRegimeParsing()
    {
        var t = CalibrationTarget.Parse("badDebt.es.0.99<=insuranceFund");
        Assert.That((t.Metric.Name, t.Limit), Is.EqualTo(("badDebt.es.0.99", (double?)null)));
        Assert.That(CalibrationTarget.Parse("probabilities.cascade<=0.01").Limit, Is.EqualTo(0.01));
        Assert.That(() => CalibrationTarget.Parse("badDebt.mean>=1"), Throws.TypeOf<FormatException>().With.Message.Contains("only <="));
        Assert.That(() => CalibrationTarget.Parse("badDebt.es.0.98<=1"), Throws.TypeOf<FormatException>().With.Message.Contains("0.95, 0.99, 0.999"));
        Assert.That(() => CalibrationTarget.Parse("badDebt.maen<=1"), Throws.TypeOf<FormatException>().With.Message.Contains("did you mean 'badDebt.mean'"));
        Assert.That(() => CalibrationTarget.Parse("badDebt.mean<=lots"), Throws.TypeOf<FormatException>().With.Message.Contains("'lots'"));
        Assert.That(VolatilityRegime.ParseList("calm=0.5, stressed=2").Select(r => r.Factor), Is.EqualTo(new[] { 0.5, 2 }));
        Assert.That(() => VolatilityRegime.ParseList("calm=0"), Throws.TypeOf<FormatException>());
        Assert.That(() => VolatilityRegime.ParseList("a=1,a=2"), Throws.TypeOf<FormatException>().With.Message.Contains("twice"));
        Assert.That(RiskMetric.All.Select(m => RiskMetric.Parse(m.Name)), Is.EqualTo(RiskMetric.All));
    }
}
