using System.Collections.Immutable;
using GpuCascade.Book;
using GpuCascade.Scenarios;

namespace GpuCascade.Tests.Calibration;

public class InitialMarginTests
{
    private static Scenario WithMargin(Scenario s, double m) =>
        s with { Venue = s.Venue with { MaintenanceMargin = [.. s.Venue.MaintenanceMargin.Select(_ => (MarginRule)new StaticMargin(m))] } };

    [Test]
    public void ACohortBelowInitialMarginIsScaledToItKeepingItsEquity()
    {
        // A 3x long bought at 104 (now 100) with 4e4 more USD: E = 1e6/3; at m = 0.3 it needs E >= M / 0.8 = 3.75e5.
        var baseScenario = ScenarioLoader.LoadYaml(CalibrationScenarios.SingleLong(1024));
        var cohort = baseScenario.Book.Cohorts[0];
        cohort = cohort with { Positions = [cohort.Positions[0] with { EntryPrice = 104 }] , UsdCollateral = cohort.UsdCollateral + 4e4 * 1.0 };
        var reference = baseScenario with { Book = new BookSpec { Cohorts = [cohort] } };
        var candidate = WithMargin(reference, 0.3);
        var (equity0, requirement0, gross0) = MaintenanceMargin.AtStart(candidate, cohort);
        Assume.That(equity0, Is.LessThan(requirement0 / InitialMargin.MaintenanceShare));

        var (cohorts, removed) = InitialMargin.Deleverage(candidate, reference, [cohort]);
        var (equity, requirement, gross) = MaintenanceMargin.AtStart(candidate, cohorts[0]);
        Assert.That(equity, Is.EqualTo(equity0).Within(1e-9).Percent, "the closed part's P&L is booked to the balance");
        Assert.That(equity, Is.EqualTo(requirement / InitialMargin.MaintenanceShare).Within(1e-9).Percent);
        Assert.That(removed, Is.EqualTo(gross0 - gross).Within(1e-9).Percent);
        Assert.That(cohorts[0].Positions[0].EntryPrice, Is.EqualTo(104));
        Assert.That(cohorts[0].UsdCollateral, Is.LessThan(cohort.UsdCollateral), "the loss of the closed part is realised");
    }

    [Test]
    public void CohortsAboveInitialMarginAndTheReferenceItselfAreUnchanged()
    {
        var s = ScenarioLoader.LoadDefault();
        ImmutableArray<CohortSpec> book = [.. BookGenerator.Generate(s)];
        var (same, removed) = InitialMargin.Deleverage(s, s, book);
        Assert.That(removed, Is.EqualTo(0));
        Assert.That(same, Is.EqualTo(book));
        // Some generated cohorts started below IM (their entries moved against them) and keep that headroom.
        Assert.That(book.Count(c => MaintenanceMargin.AtStart(s, c) is var (e, m, _) && e < m / InitialMargin.MaintenanceShare), Is.GreaterThan(0));
    }

    [Test]
    public void TieredMarginsAreSolvedToo()
    {
        var s = ScenarioLoader.LoadDefault();
        ImmutableArray<CohortSpec> book = [.. BookGenerator.Generate(s)];
        var tighter = ScenarioDocument.Default.With("venue.maintenanceMargin.BTC.tiers[0].rate", 0.03)
            .With("venue.maintenanceMargin.BTC.tiers[1].rate", 0.03).With("venue.maintenanceMargin.BTC.tiers[2].rate", 0.035)
            .With("venue.maintenanceMargin.BTC.tiers[3].rate", 0.04).ToScenario();
        Assert.That(tighter.Venue.MaintenanceMargin[0], Is.TypeOf<TieredMargin>());
        var (cohorts, removed) = InitialMargin.Deleverage(tighter, s, book);
        Assert.That(removed, Is.GreaterThan(0));
        for (int i = 0; i < book.Length; i++)
        {
            if (cohorts[i] == book[i]) continue;
            var (e, m, _) = MaintenanceMargin.AtStart(tighter, cohorts[i]);
            var (e0, m0, _) = MaintenanceMargin.AtStart(s, book[i]);
            double ratio = Math.Min(1 / InitialMargin.MaintenanceShare, e0 / m0);
            Assert.That(e, Is.EqualTo(e0).Within(1e-9).Percent, book[i].Name);
            Assert.That(e, Is.EqualTo(ratio * m).Within(1e-6).Percent, book[i].Name);
        }
    }
}
