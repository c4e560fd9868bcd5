namespace GpuCascade.Scenarios;

/// <summary>Optional settings of one asset in a <see cref="ScenarioBuilder"/>.</summary>
public sealed class AssetBuilder
{
    private readonly List<ScenarioError> pending = new();
    private readonly double volatility;
    private ImpactSpec? impact;
    private double? longRunVolatility, drift, permanentImpact, jumpBeta, collateralWeight, haircut;
    private MechanismSet mechanisms = MechanismSet.Empty;
    private Duration? impactHalfLife;

    internal AssetBuilder(string symbol, double price, double volatility)
    {
        Symbol = symbol;
        Price = price;
        this.volatility = volatility;
    }

    internal string Symbol { get; }
    internal double Price { get; }

    /// <summary>Annualised drift of the diffusion [0] (not the mean return once jumps or fat tails are on).</summary>
    public AssetBuilder Drift(double value) { drift = value; return this; }

    /// <summary>Long-run volatility sigma-bar [the starting volatility].</summary>
    public AssetBuilder LongRunVolatility(double value) { longRunVolatility = value; return this; }

    /// <summary>Linear impact: <paramref name="depth1pct"/> USD moves the price 1%.</summary>
    public AssetBuilder LinearImpact(double depth1pct) { impact = new LinearImpact(depth1pct); return this; }

    /// <summary>Square-root impact with daily volume V in USD and coefficient Y [1].</summary>
    public AssetBuilder SquareRootImpact(double dailyVolume, double y = AssetTerms.DefaultImpactY)
    {
        impact = new SquareRootImpact(dailyVolume, y);
        return this;
    }

    /// <summary>Permanent share of each price move, in [0, 1] [0.5].</summary>
    public AssetBuilder PermanentImpact(double theta) { permanentImpact = theta; return this; }

    /// <summary>Half-life of transient impact, such as <c>30m</c> [30m].</summary>
    public AssetBuilder ImpactHalfLife(string duration)
    {
        pending.Clear();
        impactHalfLife = ScenarioBuilder.ParseDuration(duration, "impactHalfLife", pending);
        return this;
    }

    /// <summary>Half-life of transient impact as a <see cref="Duration"/>.</summary>
    public AssetBuilder ImpactHalfLife(Duration duration)
    {
        pending.Clear();
        impactHalfLife = duration;
        return this;
    }

    /// <summary>Loading of the common crash jump [1].</summary>
    public AssetBuilder JumpBeta(double beta) { jumpBeta = beta; return this; }

    /// <summary>Collateral weight in (0, 1] [1].</summary>
    public AssetBuilder CollateralWeight(double weight) { collateralWeight = weight; return this; }

    /// <summary>Collateral haircut in [0, 1): weight = 1 - haircut. Not together with <see cref="CollateralWeight"/>.</summary>
    public AssetBuilder Haircut(double value) { haircut = value; return this; }

    /// <summary>Adds a mechanism to the asset (docs/scenarios.md), replacing one of the same type.</summary>
    public AssetBuilder Mechanism(MechanismSpec spec) { mechanisms = mechanisms.With(spec); return this; }

    internal AssetSpec? Build(Diagnostics errors, string path)
    {
        foreach (var e in pending) errors.Add(FieldPath.Key(path, e.Path), e.Message);
        var weight = AssetTerms.CollateralWeight(errors, path, collateralWeight, haircut);
        if (impact is null) errors.Add(path, "needs depth1pct (linear impact) or a square-root impact");
        if (impact is null || pending.Count > 0) return null;
        var asset = new AssetSpec
        {
            Symbol = Symbol, Price = Price, Volatility = volatility,
            LongRunVolatility = longRunVolatility ?? volatility, Impact = impact,
        };
        return AssetTerms.WithOptions(asset, drift, permanentImpact, impactHalfLife, jumpBeta, weight) with { Mechanisms = mechanisms };
    }
}
