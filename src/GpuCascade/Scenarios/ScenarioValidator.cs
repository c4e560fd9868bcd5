using System.Collections.Immutable;
using System.Text;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;
using GpuCascade.Operations;
using static GpuCascade.Scenarios.FieldPath;
using static GpuCascade.Scenarios.ScenarioNumbers;

namespace GpuCascade.Scenarios;

/// <summary>
/// Checks a <see cref="Scenario"/> object: value ranges, cross-field consistency, the correlation matrix and the
/// initial margin of every explicit cohort. Scenarios from files, from <see cref="ScenarioBuilder"/> and from
/// <c>with</c> expressions all pass through it. Errors are named by the field path of the file format
/// (<c>assets[1].volatility</c>, <c>book.cohorts[3]</c>).
/// </summary>
public static class ScenarioValidator
{
    /// <summary>Smallest eigenvalue accepted as positive semi-definite: a singular matrix (rho = 1) is valid.</summary>
    public const double EigenvalueTolerance = -1e-10;

    private const double EntryTolerance = 1e-12;

    /// <summary>Every problem of the scenario, in field order; empty when it is valid.</summary>
    public static IReadOnlyList<ScenarioError> Validate(Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        if (scenario.Venues is not null) return VenuesModule.Validate(scenario); // each venue as the one-venue scenario it would be
        var errors = new Diagnostics();
        new Run(scenario, errors).All();
        return errors.Errors;
    }

    /// <summary>Throws a <see cref="ScenarioException"/> listing every problem when the scenario is invalid.</summary>
    public static void EnsureValid(Scenario scenario)
    {
        var errors = Validate(scenario);
        if (errors.Count > 0) throw new ScenarioException(errors);
    }

    private sealed class Run(Scenario s, Diagnostics d)
    {
        private ImmutableArray<AssetSpec> assets = s.Assets.IsDefault ? ImmutableArray<AssetSpec>.Empty : s.Assets;

        public void All()
        {
            General();
            bool assetsOk = Assets();
            Correlation();
            Stress();
            bool marginOk = Venue();
            Book(assetsOk, marginOk);
        }

        private void General()
        {
            d.PositiveDuration("horizon", s.Horizon);
            d.IntegerIn("steps", s.Steps, 1, ScenarioLimits.MaxSteps);
            d.IntegerIn("paths", s.Paths, 1, ScenarioLimits.MaxPaths);
            d.Require(Enum.IsDefined(s.Precision), "precision", $"must be double or single, got {s.Precision}");
            d.Above("cascadeThreshold", s.CascadeThreshold, 0);
            d.Require(s.RunawayBound > 1, "runawayBound",
                $"must be > 1 (a factor between the traded and the exogenous price; .inf for none), got {ScenarioNumbers.Format(s.RunawayBound)}");
            UncertaintyModule.Validate(d, s.Uncertainty);
            HistoryModule.Validate(d, s);
            if (s.Innovations?.StudentTDof is double nu) d.Above("innovations.dof", nu, 2);
            if (s.Garch is { } g && d.AtLeast("garch.alpha", g.Alpha, 0) & d.AtLeast("garch.beta", g.Beta, 0))
                d.Require(g.Alpha + g.Beta < 1, "garch", $"alpha + beta must be < 1 (per step), got {Format(g.Alpha + g.Beta)}");
            if (s.Jumps is { } j)
            {
                bool intensityOk = d.AtLeast("jumps.intensity", j.Intensity, 0);
                d.Finite("jumps.meanLogSize", j.MeanLogSize);
                d.AtLeast("jumps.logSizeVolatility", j.LogSizeVolatility, 0);
                double p = j.Intensity * s.StepYears;
                if (intensityOk && s.Steps >= 1 && double.IsFinite(p))
                    d.Require(p <= 1, "jumps.intensity",
                        $"intensity x dt is the jump probability per step and must be <= 1, got {p:G4}; use more steps");
            }
        }

        private bool Assets()
        {
            if (assets.IsEmpty) return d.Require(false, "assets", "at least one asset required");
            int before = d.Count;
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int i = 0; i < assets.Length; i++)
            {
                string path = Index("assets", i);
                var a = assets[i];
                if (a is null)
                {
                    d.Add(path, "required");
                    continue;
                }
                if (string.IsNullOrWhiteSpace(a.Symbol)) d.Add(Key(path, "symbol"), "must not be empty");
                else if (a.Symbol == "USD") d.Add(Key(path, "symbol"), "USD is the quote currency, not an asset");
                else if (!seen.TryAdd(a.Symbol, i)) d.Add(Key(path, "symbol"), $"duplicate symbol {Echo.Clip(a.Symbol)} (also assets[{seen[a.Symbol]}])");
                d.Above(Key(path, "price"), a.Price, 0);
                bool volatilityOk = d.AtLeast(Key(path, "volatility"), a.Volatility, 0);
                if (a.LongRunVolatility != a.Volatility) // the default copies volatility: report a bad value once
                    volatilityOk &= d.AtLeast(Key(path, "longRunVolatility"), a.LongRunVolatility, 0);
                if (d.Finite(Key(path, "drift"), a.Drift) && volatilityOk) NotOverflowing(path, i, a);
                switch (a.Impact)
                {
                    case LinearImpact l:
                        d.Above(Key(path, "depth1pct"), l.Depth1Pct, 0);
                        break;
                    case SquareRootImpact q:
                        d.Above(Key(path, "impact.dailyVolume"), q.DailyVolume, 0);
                        d.AtLeast(Key(path, "impact.y"), q.Y, 0);
                        break;
                    default:
                        d.Add(Key(path, "impact"), "required (depth1pct or impact: {model: sqrt, ...})");
                        break;
                }
                d.InRange(Key(path, "permanentImpact"), a.PermanentImpact, 0, 1, lowClosed: true, highClosed: true);
                d.PositiveDuration(Key(path, "impactHalfLife"), a.ImpactHalfLife);
                d.Finite(Key(path, "jumpBeta"), a.JumpBeta);
                d.InRange(Key(path, "collateralWeight"), a.CollateralWeight, 0, 1, lowClosed: false, highClosed: true);
                LiquidityModule.Validate(d, path, a);
                if (a.Mechanisms is null) d.Add(Key(path, "mechanisms"), "must not be null (MechanismSet.Empty for none)");
                else MechanismCatalogue.Validate(d, path, a.Mechanisms, MechanismScope.Asset, s, i);
            }
            return d.Count == before;
        }

        private void Correlation()
        {
            var c = s.Correlation;
            if (c.IsDefaultOrEmpty || assets.IsEmpty) return;
            int n = assets.Length;
            if (!d.Require(c.Length == n * n, "correlation", $"must be {n} x {n} (one row and column per asset), got {c.Length} entries"))
                return;
            int before = d.Count;
            for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                string path = $"correlation[{i}][{j}]";
                double rho = c[i * n + j];
                if (!d.InRange(path, rho, -1, 1, lowClosed: true, highClosed: true)) continue;
                if (i == j) d.Require(Math.Abs(rho - 1) <= EntryTolerance, path, $"diagonal must be 1, got {Format(rho)}");
                else if (j > i && double.IsFinite(c[j * n + i]))
                    d.Require(Math.Abs(rho - c[j * n + i]) <= EntryTolerance, path,
                        $"must equal correlation[{j}][{i}] ({Format(rho)} vs {Format(c[j * n + i])})");
            }
            if (d.Count > before) return;
            var matrix = Matrix<double>.Build.Dense(n, n, (i, j) => c[i * n + j]);
            double smallest = matrix.Evd(Symmetricity.Symmetric).EigenValues.Min(e => e.Real);
            d.Require(smallest >= EigenvalueTolerance, "correlation", $"not positive semi-definite (eigenvalue {smallest:G3})");
        }

        private void Stress()
        {
            if (s.Stress.IsDefault) return;
            for (int k = 0; k < s.Stress.Length; k++)
            {
                string path = Index("stress", k);
                if (s.Stress[k] is not { } shock)
                {
                    d.Add(path, "required");
                    continue;
                }
                if (s.Steps >= 1)
                    d.Require(shock.Step >= 0 && shock.Step < s.Steps, Key(path, "step"),
                        $"must be in [0, {s.Steps - 1}] (steps count from 0), got {shock.Step}");
                bool asset = AssetIndex(Key(path, "asset"), shock.AssetIndex);
                if (d.Finite(Key(path, "logReturn"), shock.LogReturn) && asset && assets[shock.AssetIndex] is { Price: > 0 and var price } && double.IsFinite(price))
                {
                    // A shock that takes the asset's starting price beyond what a double holds fails every path.
                    double logPrice = Math.Log(price) + shock.LogReturn;
                    d.Require(logPrice < ScenarioLimits.MaxLogPrice && logPrice > ScenarioLimits.MinLogPrice, Key(path, "logReturn"),
                        $"must keep {SymbolOf(shock.AssetIndex)}'s price {Format(price)} representable (its log within " +
                        $"[{Format(ScenarioLimits.MinLogPrice)}, {Format(ScenarioLimits.MaxLogPrice)}]), so in " +
                        $"({Format(Math.Round(ScenarioLimits.MinLogPrice - Math.Log(price), 2))}, {Format(Math.Round(ScenarioLimits.MaxLogPrice - Math.Log(price), 2))}), got {Format(shock.LogReturn)}");
                }
            }
        }

        /// <returns>Whether the margin rules can be evaluated.</returns>
        private bool Venue()
        {
            if (s.Venue is not { } v) return d.Require(false, "venue", "required");
            const string path = "venue.maintenanceMargin";
            var rules = v.MaintenanceMargin.IsDefault ? ImmutableArray<MarginRule>.Empty : v.MaintenanceMargin;
            bool marginOk = d.Require(rules.Length == assets.Length, path,
                $"must have one rule per asset ({assets.Length}), got {rules.Length}");
            if (marginOk)
            {
                // One instance for every asset was written once (a number, tiers or dynamic for all).
                bool shared = rules.All(x => ReferenceEquals(x, rules[0]));
                for (int i = 0; i < rules.Length; i++)
                {
                    if (shared && i > 0) break;
                    marginOk &= Rule(shared ? path : Key(path, SymbolOf(i)), rules[i]);
                }
            }
            d.InRange("venue.liquidationPenalty", v.LiquidationPenalty, 0, 1, lowClosed: true, highClosed: false);
            OracleModule.Validate(d, v);
            d.AtLeast("venue.insuranceFund", v.InsuranceFund, 0);
            if (v.Liquidation is not { } l) d.Add("venue.liquidation", "required");
            else
            {
                d.InRange("venue.liquidation.tranche", l.Tranche, 0, 1, lowClosed: false, highClosed: true);
                d.AtLeast("venue.liquidation.dustNotional", l.DustNotional, 0);
            }
            d.IntegerIn("venue.roundCap", v.RoundCap, 1, int.MaxValue);
            CapacityModule.Validate(d, v);
            if (v.Mechanisms is null) d.Add("venue.mechanisms", "must not be null (MechanismSet.Empty for none)");
            else MechanismCatalogue.Validate(d, "venue", v.Mechanisms, MechanismScope.Venue, s, -1);
            return marginOk;
        }

        private bool Rule(string path, MarginRule? rule)
        {
            int before = d.Count;
            switch (rule)
            {
                case StaticMargin m:
                    d.InRange(path, m.Rate, 0, 1, lowClosed: false, highClosed: false);
                    break;
                case TieredMargin t:
                    Tiers(Key(path, "tiers"), t.Tiers.IsDefault ? ImmutableArray<MarginTier>.Empty : t.Tiers);
                    break;
                case DynamicMargin m:
                    d.InRange(Key(path, "dynamic.floor"), m.Floor, 0, 1, lowClosed: false, highClosed: false);
                    d.AtLeast(Key(path, "dynamic.z"), m.Z, 0);
                    d.PositiveDuration(Key(path, "dynamic.closeOutHorizon"), m.CloseOutHorizon);
                    break;
                case null:
                    d.Add(path, "required");
                    break;
                default:
                    d.Add(path, $"unsupported margin rule {rule.GetType().Name}");
                    break;
            }
            return d.Count == before;
        }

        private void Tiers(string path, ImmutableArray<MarginTier> tiers)
        {
            if (!d.Require(!tiers.IsEmpty, path, "at least one tier required")) return;
            bool capsOk = true;
            for (int k = 0; k < tiers.Length; k++)
            {
                string tier = Index(path, k);
                if (tiers[k] is not { } t)
                {
                    d.Add(tier, "required");
                    capsOk = false;
                    continue;
                }
                bool last = k == tiers.Length - 1;
                bool capOk = double.IsPositiveInfinity(t.Cap)
                    ? d.Require(last, Key(tier, "cap"), "only the last tier may be unbounded (.inf)")
                    : d.Above(Key(tier, "cap"), t.Cap, 0);
                if (capOk && k > 0 && tiers[k - 1] is { } prev && double.IsFinite(prev.Cap))
                    capOk = d.Require(t.Cap > prev.Cap, Key(tier, "cap"),
                        $"caps must increase strictly, got {Format(t.Cap)} after {Format(prev.Cap)}");
                capsOk &= capOk;
                if (d.InRange(Key(tier, "rate"), t.Rate, 0, 1, lowClosed: false, highClosed: false)
                    && k > 0 && tiers[k - 1] is { } before && double.IsFinite(before.Rate))
                    d.Require(t.Rate >= before.Rate, Key(tier, "rate"),
                        $"rates must not decrease, got {Format(t.Rate)} after {Format(before.Rate)}");
            }
            // Amounts derive from the caps; a bad cap would only repeat itself here.
            if (capsOk)
                for (int k = 0; k < tiers.Length; k++)
                {
                    string amount = Key(Index(path, k), "amount");
                    if (!d.Finite(amount, tiers[k].Amount)) continue;
                    // The requirement n x rate - amount must stay >= 0 over the bracket, whose lowest notional is the previous cap.
                    double floorNotional = k == 0 ? 0 : tiers[k - 1].Cap;
                    d.Require(tiers[k].Amount <= floorNotional * tiers[k].Rate, amount,
                        $"must be <= {Format(floorNotional * tiers[k].Rate)} (the bracket's lowest notional x rate) so the requirement stays >= 0, got {Format(tiers[k].Amount)}");
                }
        }

        /// <summary>Cohorts are judged at the starting prices (a file's units and entry prices derive from them),
        /// so they are checked once the assets are valid.</summary>
        private void Book(bool assetsOk, bool marginOk)
        {
            if (s.Book is not { } book)
            {
                d.Add("book", "required");
                return;
            }
            var cohorts = book.Cohorts.IsDefault ? ImmutableArray<CohortSpec>.Empty : book.Cohorts;
            d.Require(!cohorts.IsEmpty || book.Generator is not null, "book", "needs at least one cohort or a generator");
            for (int i = 0; assetsOk && i < cohorts.Length; i++)
                Cohort(Index("book.cohorts", i), cohorts[i], checkInitialMargin: marginOk);
            if (book.Generator is { } g) Generator("book.generator", g);
            long generated = book.Generator is { Assets.IsDefault: false } gen ? (long)gen.CohortsPerAsset * gen.Assets.Length : 0;
            d.Require(cohorts.Length + generated <= ScenarioLimits.MaxCohorts, "book",
                $"at most {ScenarioLimits.MaxCohorts:N0} cohorts (listed and generated together), got {cohorts.Length + generated:N0}");
        }

        private void Cohort(string path, CohortSpec? c, bool checkInitialMargin)
        {
            if (c is null)
            {
                d.Add(path, "required");
                return;
            }
            int before = d.Count;
            d.Above(Key(path, "accounts"), c.Accounts, 0);
            var positions = c.Positions.IsDefault ? ImmutableArray<PositionSpec>.Empty : c.Positions;
            d.Require(!positions.IsEmpty, Key(path, "positions"), "at least one position required");
            for (int k = 0; k < positions.Length; k++)
            {
                string p = Index(Key(path, "positions"), k);
                if (positions[k] is not { } pos)
                {
                    d.Add(p, "required");
                    continue;
                }
                AssetIndex(Key(p, "asset"), pos.AssetIndex);
                if (d.Finite(Key(p, "units"), pos.Units)) d.Require(pos.Units != 0, Key(p, "units"), "must not be zero");
                d.Above(Key(p, "entryPrice"), pos.EntryPrice, 0);
            }
            d.AtLeast(Key(path, "collateral.USD"), c.UsdCollateral, 0);
            var holdings = c.Collateral.IsDefault ? ImmutableArray<CollateralHolding>.Empty : c.Collateral;
            for (int k = 0; k < holdings.Length; k++)
            {
                if (holdings[k] is not { } h) d.Add(Index(Key(path, "collateral"), k), "required");
                else if (AssetIndex(Index(Key(path, "collateral"), k), h.AssetIndex))
                    d.AtLeast(Key(path, $"collateral.{SymbolOf(h.AssetIndex)}"), h.Units, 0);
            }
            if (checkInitialMargin && !c.LiquidateAtStart && d.Count == before) InitialMargin(path, c);
        }

        /// <summary>Equity at the starting prices must exceed the maintenance requirement (docs/model.md section 4).</summary>
        private void InitialMargin(string path, CohortSpec c)
        {
            var (equity, requirement, gross) = MaintenanceMargin.AtStart(s, c);
            if (equity > requirement) return;
            var message = new StringBuilder(
                $"initial margin does not exceed maintenance (equity {Money(equity)} <= requirement {Money(requirement)}");
            if (equity > 0)
                message.Append($"; leverage {gross / equity:G3} needs maintenance below {Percent(equity / gross)}, the venue's is {Percent(requirement / gross)}");
            else
                message.Append("; the cohort starts with no equity");
            if (!string.IsNullOrEmpty(c.Name)) message.Append($"; cohort {Echo.Quote(c.Name)}");
            d.Add(path, message.Append(')').ToString());
        }

        private void Generator(string path, BookGeneratorSpec g)
        {
            d.IntegerIn(Key(path, "cohortsPerAsset"), g.CohortsPerAsset, 1, ScenarioLimits.MaxCohorts);
            bool sharesOk = d.InRange(Key(path, "crossMarginShare"), g.CrossMarginShare, 0, 1, lowClosed: true, highClosed: true)
                & d.InRange(Key(path, "coinMarginedShare"), g.CoinMarginedShare, 0, 1, lowClosed: true, highClosed: true);
            if (sharesOk)
                d.Require(g.CrossMarginShare + g.CoinMarginedShare <= 1, path,
                    $"crossMarginShare + coinMarginedShare must be <= 1, got {Format(g.CrossMarginShare + g.CoinMarginedShare)}");
            d.Above(Key(path, "accountsPerCohort"), g.AccountsPerCohort, 0);
            var list = g.Assets.IsDefault ? ImmutableArray<GeneratorAssetSpec>.Empty : g.Assets;
            if (!d.Require(!list.IsEmpty, Key(path, "assets"), "at least one asset required")) return;
            var seen = new HashSet<int>();
            for (int k = 0; k < list.Length; k++)
            {
                if (list[k] is not { } a || !AssetIndex(Index(Key(path, "assets"), k), a.AssetIndex))
                {
                    if (list[k] is null) d.Add(Index(Key(path, "assets"), k), "required");
                    continue;
                }
                string p = Key(path, $"assets.{SymbolOf(a.AssetIndex)}");
                if (!d.Require(seen.Add(a.AssetIndex), p, "listed twice")) continue;
                d.Above(Key(p, "openInterest"), a.OpenInterest, 0);
                d.InRange(Key(p, "longShare"), a.LongShare, 0, 1, lowClosed: true, highClosed: true);
                if (d.AtLeast(Key(p, "leverage.median"), a.LeverageMedian, 1) && d.Finite(Key(p, "leverage.max"), a.LeverageMax))
                    d.Require(a.LeverageMax >= a.LeverageMedian, Key(p, "leverage.max"),
                        $"must be >= leverage.median ({Format(a.LeverageMedian)}), got {Format(a.LeverageMax)}");
                d.InRange(Key(p, "leverage.dispersion"), a.LeverageDispersion, 0, ScenarioLimits.MaxDispersion, lowClosed: true, highClosed: true);
                d.InRange(Key(p, "entryDispersion"), a.EntryDispersion, 0, ScenarioLimits.MaxDispersion, lowClosed: true, highClosed: true);
                d.InRange(Key(p, "hedgedShare"), a.HedgedShare, 0, 1, lowClosed: true, highClosed: false);
            }
        }

        /// <summary>A drift or volatility whose diffusion certainly takes the asset's price out of what a double holds by
        /// the horizon (the whole band of <see cref="ScenarioLimits.CertainSpread"/> standard deviations beyond it) fails
        /// every path: refused here (exit 2) rather than at run time. With GARCH the smaller of the starting and long-run
        /// volatility is used, so that only a certain failure is refused.</summary>
        private void NotOverflowing(string path, int i, AssetSpec a)
        {
            double years = s.Horizon.Years;
            if (!(years > 0) || !double.IsFinite(years) || !(a.Price > 0) || !double.IsFinite(a.Price)) return;
            double volatility = s.Garch is null ? a.Volatility : Math.Min(a.Volatility, a.LongRunVolatility);
            var (centre, halfWidth) = ScenarioLimits.HorizonLogPrice(a.Price, a.Drift, volatility, years);
            bool below = centre + halfWidth < ScenarioLimits.MinLogPrice, above = centre - halfWidth > ScenarioLimits.MaxLogPrice;
            if (!below && !above && !double.IsNaN(centre)) return;
            // The term that moves the log price most is named: the drift, or the volatility's correction -volatility^2 / 2.
            bool drift = Math.Abs(a.Drift) > volatility * volatility / 2;
            d.Add(Key(path, drift ? "drift" : s.Garch is not null && a.LongRunVolatility < a.Volatility ? "longRunVolatility" : "volatility"),
                $"takes {SymbolOf(i)}'s price {Format(a.Price)} out of the range a double holds for certain: over the " +
                $"horizon its log price ends near {Format(Math.Round(centre, 1))} ({(below ? "below" : "above")} {Format(below ? ScenarioLimits.MinLogPrice : ScenarioLimits.MaxLogPrice)} " +
                $"even {Format(ScenarioLimits.CertainSpread)} standard deviations away), with drift {Format(a.Drift)} and volatility {Format(volatility)}");
        }

        private bool AssetIndex(string path, int index) =>
            d.Require(index >= 0 && index < assets.Length, path, $"asset index {index} out of range ({assets.Length} assets)");

        private string SymbolOf(int i) =>
            i >= 0 && i < assets.Length && !string.IsNullOrEmpty(assets[i]?.Symbol) ? Echo.Clip(assets[i].Symbol) : $"[{i}]";
    }
}
