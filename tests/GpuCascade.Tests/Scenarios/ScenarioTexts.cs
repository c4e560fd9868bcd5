namespace GpuCascade.Tests.Scenarios;

/// <summary>Scenario texts shared by the scenario tests.</summary>
internal static class ScenarioTexts
{
    /// <summary>The example of the scenario-format issue.</summary>
    public const string IssueExample = """
        horizon: 30d
        steps: 2000
        paths: 200000
        seed: 11
        assets:
          - {symbol: BTC, price: 100000, volatility: 0.8, drift: 0, depth1pct: 5.0e7}
          - {symbol: ETH, price: 3000, volatility: 0.9, drift: 0, depth1pct: 2.0e7}
        correlation: [[1, 0.8], [0.8, 1]]
        stress:
          - {step: 0, asset: BTC, logReturn: -0.05}
        venue:
          maintenanceMargin: 0.005
          liquidationPenalty: 0.01
          oracleDelaySteps: 0
          insuranceFund: 1.0e7
          liquidation: full
        book:
          cohorts:
            - {asset: BTC, side: long, notional: 1.0e9, leverage: 10}
        """;

    /// <summary>The issue example as JSON.</summary>
    public const string IssueExampleJson = """
        {
          "horizon": "30d", "steps": 2000, "paths": 200000, "seed": 11,
          "assets": [
            {"symbol": "BTC", "price": 100000, "volatility": 0.8, "drift": 0, "depth1pct": 5.0e7},
            {"symbol": "ETH", "price": 3000, "volatility": 0.9, "drift": 0, "depth1pct": 2.0e7}
          ],
          "correlation": [[1, 0.8], [0.8, 1]],
          "stress": [{"step": 0, "asset": "BTC", "logReturn": -0.05}],
          "venue": {"maintenanceMargin": 0.005, "liquidationPenalty": 0.01, "oracleDelaySteps": 0,
                    "insuranceFund": 1.0e7, "liquidation": "full"},
          "book": {"cohorts": [{"asset": "BTC", "side": "long", "notional": 1.0e9, "leverage": 10}]}
        }
        """;

    /// <summary>Every key of the format in use, one per line where the bad-input table edits it.</summary>
    public const string Full = """
        horizon: 1d
        steps: 288
        paths: 1000
        seed: 11
        precision: double
        cascadeThreshold: 0.05
        innovations: {distribution: student-t, dof: 5}
        garch: {alpha: 0.05, beta: 0.9}
        jumps: {intensity: 4, meanLogSize: -0.07, logSizeVolatility: 0.03}
        assets:
          - symbol: BTC
            price: 100000
            volatility: 0.8
            longRunVolatility: 0.7
            drift: 0
            depth1pct: 5.0e7
            permanentImpact: 0.5
            impactHalfLife: 30m
            jumpBeta: 1
            collateralWeight: 0.95
          - symbol: ETH
            price: 3000
            volatility: 0.9
            impact: {model: sqrt, dailyVolume: 2.0e10, y: 1}
            haircut: 0.1
        correlation:
          - [1, 0.8]
          - [0.8, 1]
        stress:
          - {step: 0, asset: BTC, logReturn: -0.05}
        venue:
          maintenanceMargin:
            BTC:
              tiers:
                - {cap: 5.0e4, rate: 0.004}
                - {cap: 2.5e5, rate: 0.005}
                - {cap: .inf, rate: 0.025}
            ETH: {dynamic: {floor: 0.01, z: 3, closeOutHorizon: 1h}}
          liquidationPenalty: 0.01
          oracleDelaySteps: 0
          insuranceFund: 1.0e7
          liquidation: {mode: partial, tranche: 0.25, dustNotional: 10}
          roundCap: 64
        book:
          cohorts:
            - {name: whales, asset: BTC, side: long, notional: 1.0e9, leverage: 10, accounts: 1000}
            - name: basis-desk
              accounts: 20
              positions:
                - {asset: BTC, side: long, notional: 5.0e8}
                - {asset: ETH, side: short, notional: 4.0e8, entryPrice: 3100}
              collateral: {USD: 5.0e7, BTC: 100}
            - {asset: ETH, side: short, notional: 2.0e8, leverage: 5, collateralAsset: BTC}
          generator:
            seed: 7
            cohortsPerAsset: 100
            crossMarginShare: 0.2
            coinMarginedShare: 0.1
            accountsPerCohort: 1000
            assets:
              BTC: {openInterest: 6.0e9, longShare: 0.55, leverage: {median: 12, dispersion: 0.6, max: 50}, entryDispersion: 0.04}
        """;

    /// <summary>The text with one edit; fails the test when the text to replace is absent (a case that cannot fail is a defect).</summary>
    public static string Edit(string text, string find, string replace)
    {
        Assert.That(text, Does.Contain(find), "the test's edit does not apply");
        return text.Replace(find, replace);
    }

    /// <summary>The message of the <see cref="GpuCascade.Scenarios.ScenarioException"/> the action throws.</summary>
    public static GpuCascade.Scenarios.ScenarioException Rejects(TestDelegate action) =>
        Assert.Throws<GpuCascade.Scenarios.ScenarioException>(action)!;
}
