using GpuCascade.Scenarios;
using GpuCascade.Simulation;
using static GpuCascade.Tests.TestScenarios;

namespace GpuCascade.Tests.Simulation;

/// <summary>Auto-deleveraging (docs/model.md section 8.3): the uncovered loss moves to the winners exactly, highest score first.</summary>
public class AdlTests
{
    private const double S0 = 100;

    private static Scenario TwoSided(params CohortSpec[] winners)
    {
        var asset = Asset("BTC", S0, 0); // no impact, no volatility: everything by hand
        return Single(asset, [Isolated(0, 1000, 10, S0), .. winners], steps: 1, margin: 0.05) with
        {
            Stress = [new StressShock(0, 0, -0.3)],
            Venue = Single(asset, []).Venue with { MaintenanceMargin = [new StaticMargin(0.05)], Adl = true },
        };
    }

    /// <summary>A 10x long closed 30% down leaves bad debt B = 10 (100 - p) - 100 with no fund; a 2x short that gained
    /// P = 10 (100 - p) absorbs it: a fraction B / P of its position closes off-book at entry.</summary>
    [Test]
    public void TheLossMovesToTheWinnerExactly()
    {
        var o = SimulationEngine.SimulatePaths(TwoSided(Isolated(0, 1000, 2, S0, isLong: false)), 0, 1);
        double p = S0 * Math.Exp(-0.3);
        double badDebt = 10 * (S0 - p) - 100, profit = 10 * (S0 - p);
        Assert.That(o.BadDebt[0], Is.EqualTo(badDebt).Within(1e-9));
        Assert.That(o["adl.lossAbsorbed"][0], Is.EqualTo(badDebt).Within(1e-9));
        Assert.That(o.UncoveredBeforeAdl[0], Is.EqualTo(badDebt).Within(1e-9), "the fund (empty) failed to pay it");
        Assert.That(o.UncoveredLoss[0], Is.Zero, "nothing left after ADL");
        Assert.That(o["adl.notional"][0], Is.EqualTo(badDebt / profit * 10 * p).Within(1e-9), "the fraction B / P of 10 units, at the mid");
        Assert.That(o.BadDebt[0], Is.EqualTo(o.BadDebtPaid[0] + o["adl.lossAbsorbed"][0] + o.UncoveredLoss[0]).Within(1e-9));
    }

    /// <summary>Two winners: the higher score (profit over collateral times leverage: the 5x short) goes first and, its
    /// profit being enough, alone.</summary>
    [Test]
    public void TheHighestScoreGoesFirst()
    {
        var o = SimulationEngine.SimulatePaths(TwoSided(Isolated(0, 1000, 2, S0, isLong: false), Isolated(0, 1000, 5, S0, isLong: false)), 0, 1);
        double p = S0 * Math.Exp(-0.3);
        double badDebt = 10 * (S0 - p) - 100, profit = 10 * (S0 - p);
        Assert.That(o["adl.notional"][0], Is.EqualTo(badDebt / profit * 10 * p).Within(1e-9));
        // Not enough profit anywhere: a loss larger than every winner's profit leaves the rest uncovered.
        var small = SimulationEngine.SimulatePaths(TwoSided(Isolated(0, 100, 2, S0, isLong: false)), 0, 1);
        double smallProfit = 1 * (S0 - p);
        Assert.That(small["adl.lossAbsorbed"][0], Is.EqualTo(smallProfit).Within(1e-9));
        Assert.That(small.UncoveredLoss[0], Is.EqualTo(badDebt - smallProfit).Within(1e-9));
        Assert.That(small["adl.notional"][0], Is.EqualTo(1 * p).Within(1e-9), "the whole position given up");
    }

    [Test]
    public void AdlCoversWhatTheFundCannotOnEveryPath()
    {
        var d = ScenarioLoader.LoadDefault();
        var noFund = d with { Venue = d.Venue with { InsuranceFund = 0 } };
        var with = SimulationEngine.SimulatePaths(noFund with { Venue = noFund.Venue with { Adl = true } }, 0, 2048);
        var without = SimulationEngine.SimulatePaths(noFund, 0, 2048);
        int used = 0;
        for (int p = 0; p < 2048; p++)
        {
            Assert.That(with.BadDebt[p], Is.EqualTo(with.BadDebtPaid[p] + with["adl.lossAbsorbed"][p] + with.UncoveredLoss[p]).Within(1e-6 + 1e-9 * with.BadDebt[p]), $"path {p}");
            Assert.That(with.UncoveredLoss[p], Is.LessThanOrEqualTo(with.UncoveredBeforeAdl[p] * (1 + 1e-12)));
            if (with["adl.lossAbsorbed"][p] > 0) used++;
        }
        Assert.That(used, Is.GreaterThan(0));
        Assert.That(with.UncoveredLoss.Sum(), Is.LessThan(without.UncoveredLoss.Sum()));
        var result = SimulationEngine.Run(noFund with { Venue = noFund.Venue with { Adl = true } }, new RunOptions { Paths = 2048 });
        Assert.That(result.Mechanisms.Probability("probabilities.adl").Estimate, Is.GreaterThan(0));
        Assert.That(result.Probabilities.FundDepleted.Estimate, Is.GreaterThanOrEqualTo(result.Mechanisms.Probability("probabilities.adl").Estimate), "ADL follows a depleted fund");
    }

    [Test]
    public void TheFileKey()
    {
        Assert.That(ScenarioLoader.LoadDefault().Venue.Adl, Is.False);
        var text = ScenarioLoader.DefaultScenarioText.Replace("roundCap: 64", "roundCap: 64\n  adl: true");
        var s = ScenarioLoader.LoadYaml(text);
        Assert.That(s.Venue.Adl, Is.True);
        Assert.That(ScenarioLoader.LoadJson(ScenarioJson.Canonical(s)), Is.EqualTo(s));
        var e = Assert.Throws<ScenarioException>(() => ScenarioLoader.LoadYaml(text.Replace("adl: true", "adl: maybe")))!;
        Assert.That(e.Message, Does.Contain("venue.adl: must be true or false"));
    }
}
