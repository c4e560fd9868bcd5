using GpuCascade.Book;
using GpuCascade.Kernels;
using GpuCascade.Market;
using GpuCascade.Scenarios;

namespace GpuCascade.Paths;

/// <summary>
/// A scenario flattened into plain arrays for the backends: per-asset parameters, the Cholesky factor, stress
/// shocks by step, margin tables and the book in compressed-row form. Built once, read-only afterwards.
/// </summary>
internal sealed class SimulationPlan
{
    /// <summary>The scenario the plan was built from.</summary>
    public Scenario Scenario { get; }
    /// <summary>Number of assets N.</summary>
    public int AssetCount { get; }
    /// <summary>Number of steps.</summary>
    public int Steps { get; }
    /// <summary>Step length in years.</summary>
    public double Dt { get; }
    /// <summary>Path seed.</summary>
    public ulong Seed { get; }

    // ---- Market, per asset ----
    internal readonly double[] LogPrice0, Variance0, Drift, JumpBeta, CollateralWeight;
    internal readonly double[] GarchOmega;
    internal readonly double[] CholeskyLower; // N x N row-major
    internal readonly bool StudentT;
    internal readonly double Dof, StudentScaleNumerator; // e *= sqrt((nu - 2) / W)
    internal readonly bool Garch;
    internal readonly double GarchAlpha, GarchBeta;
    internal readonly bool Jumps;
    internal readonly double JumpProbability, JumpMean, JumpVolatility;
    internal readonly int[] StressStart; // Steps + 1 offsets into StressAsset / StressLogReturn
    internal readonly int[] StressAsset;
    internal readonly double[] StressLogReturn;

    // ---- Liquidity, per asset ----
    internal readonly ImpactKind[] Impact;
    internal readonly double[] ImpactScale;   // linear: 0.01 / D; sqrt: Y sigma / sqrt(365) / sqrt(V)
    internal readonly double[] ExecutionEta;  // 1/2 linear, 2/3 square root
    internal readonly double[] PermanentShare;
    internal readonly double[] ImpactDecay;   // exp(-dt ln2 / halfLife)
    // Depth under stress (docs/model.md section 8.1), per asset (LiquidityModule).
    internal readonly LiquidityTables Liquidity;

    // ---- Venue ----
    internal readonly MarginKind[] Margin;
    internal readonly double[] MarginRate;       // static rate
    internal readonly double[] MarginFloor, MarginVolScale; // dynamic: z sqrt(T)
    internal readonly int[] TierStart;           // N + 1 offsets
    internal readonly double[] TierCap, TierRate, TierAmount;
    internal readonly double Penalty;
    internal readonly int OracleDelay;
    internal readonly double FundStart;
    internal readonly double Tranche;
    internal readonly double DustPerAccount;
    internal readonly int RoundCap;
    internal readonly double CascadeThreshold;
    /// <summary>ln of the scenario's runaway bound (+infinity for none).</summary>
    internal readonly double RunawayLogBound;

    // ---- Book, per cohort (compressed rows) ----
    /// <summary>Number of cohorts (explicit plus generated).</summary>
    public int CohortCount { get; }
    internal readonly double[] Accounts, UsdCollateral, EntryValue; // EntryValue = sum_i q_i e_i
    internal readonly int[] PositionStart;
    internal readonly int[] PositionAsset;
    internal readonly double[] PositionUnits, PositionEntry;
    internal readonly bool[] PositionTiered; // the position's asset has a tiered margin rule
    internal readonly int[] CollateralStart;
    internal readonly int[] CollateralAsset;
    internal readonly double[] CollateralUnits;
    internal readonly double[] BookUnits; // sum over cohorts of |units| per asset
    internal readonly bool[] LiquidateAtStart; // cohorts of the opening round (CohortSpec.LiquidateAtStart)

    // ---- Exact screening (managed backend): see BuildScreening.
    internal int[] ScreenOrder = [];      // screenable cohorts in three groups, each by increasing normalised slack
    internal double[] ScreenSlack = [];   // their normalised slack r_c, increasing within each group
    /// <summary>Where each group of <see cref="ScreenOrder"/> starts (and, last, where the order ends): cohorts only a
    /// fall can liquidate (every g_a &gt;= 0), those only a rise can (every g_a &lt;= 0), and the others; then, per asset a,
    /// the long and the short cohorts wholly in asset a (bounded by a's own fall or rise).</summary>
    internal int[] ScreenGroupStart = [0, 0, 0, 0];
    /// <summary>Groups of cohorts over several assets (or none): long books, short books, mixed ones; after them come
    /// two groups per asset for cohorts wholly in that asset (long, short): <see cref="ScreenGroupCount"/> in all.</summary>
    internal const int ScreenGroups = 3;
    /// <summary>Screening groups: the three over several assets, then long and short ones per asset.</summary>
    internal int ScreenGroupCount => ScreenGroups + 2 * AssetCount;
    internal bool[] Screenable = [];      // cohorts with positions or collateral (all of them, in practice)
    internal double DynamicExposure;      // max over cohorts of (dynamic-margin notional at p0) / (their scale)
    /// <summary>Absolute margin added to the screening bound; far above the rounding of the margin check (~1e-15).</summary>
    internal const double ScreenEpsilon = 1e-9;
    /// <summary>Cohorts whose price sensitivity S is below this share of their magnitudes are always checked, so that
    /// ScreenEpsilon x S stays far above the check's rounding (1e-13 against ~1e-15 of the magnitudes).</summary>
    internal const double ScreenMinimumScale = 1e-4;
    /// <summary>Cohorts whose dynamic notional exceeds this multiple of S are always checked rather than loosen U.</summary>
    internal const double ScreenMaximumExposure = 10;

    /// <summary>The cohorts the plan simulates: the explicit ones, then the generated ones.</summary>
    public IReadOnlyList<CohortSpec> Cohorts { get; }

    /// <summary>Asset symbols in plan order.</summary>
    public IReadOnlyList<string> Symbols { get; }

    private SimulationPlan(Scenario s)
    {
        Scenario = s;
        int n = AssetCount = s.Assets.Length;
        Steps = s.Steps;
        Dt = s.StepYears;
        Seed = s.Seed;
        Symbols = s.Assets.Select(a => a.Symbol).ToArray();

        LogPrice0 = s.Assets.Select(a => Math.Log(a.Price)).ToArray();
        Variance0 = s.Assets.Select(a => a.Volatility * a.Volatility).ToArray();
        Drift = s.Assets.Select(a => a.Drift).ToArray();
        JumpBeta = s.Assets.Select(a => a.JumpBeta).ToArray();
        CollateralWeight = s.Assets.Select(a => a.CollateralWeight).ToArray();
        CholeskyLower = s.Venues is { } set ? MarketsCholesky(set, n) : CorrelationFactor.Cholesky(s.Correlation.AsSpan(), n);

        StudentT = s.Innovations.StudentTDof is not null;
        Dof = s.Innovations.StudentTDof ?? 0;
        StudentScaleNumerator = StudentT ? Dof - 2.0 : 0;

        Garch = s.Garch is not null;
        GarchAlpha = s.Garch?.Alpha ?? 0;
        GarchBeta = s.Garch?.Beta ?? 0;
        GarchOmega = s.Assets.Select(a => a.LongRunVolatility * a.LongRunVolatility * (1 - GarchAlpha - GarchBeta)).ToArray();

        Jumps = s.Jumps is { Intensity: > 0 };
        JumpProbability = (s.Jumps?.Intensity ?? 0) * Dt;
        JumpMean = s.Jumps?.MeanLogSize ?? 0;
        JumpVolatility = s.Jumps?.LogSizeVolatility ?? 0;

        var shocks = s.Stress.OrderBy(x => x.Step).ToArray(); // stable: file order within a step
        StressStart = new int[Steps + 1];
        foreach (var shock in shocks) StressStart[shock.Step + 1]++;
        for (int k = 0; k < Steps; k++) StressStart[k + 1] += StressStart[k];
        StressAsset = shocks.Select(x => x.AssetIndex).ToArray();
        StressLogReturn = shocks.Select(x => x.LogReturn).ToArray();

        Impact = new ImpactKind[n];
        ImpactScale = new double[n];
        ExecutionEta = new double[n];
        PermanentShare = new double[n];
        ImpactDecay = new double[n];
        for (int i = 0; i < n; i++)
        {
            var a = s.Assets[i];
            switch (a.Impact)
            {
                case LinearImpact lin:
                    Impact[i] = ImpactKind.Linear;
                    ImpactScale[i] = 0.01 / lin.Depth1Pct;
                    ExecutionEta[i] = 0.5;
                    break;
                case SquareRootImpact sq:
                    Impact[i] = ImpactKind.SquareRoot;
                    ImpactScale[i] = sq.Y * a.Volatility / Math.Sqrt(365.0) / Math.Sqrt(sq.DailyVolume);
                    ExecutionEta[i] = 2.0 / 3.0;
                    break;
                default:
                    throw new ArgumentException($"assets[{i}].impact: unsupported model {a.Impact.GetType().Name}");
            }
            PermanentShare[i] = a.PermanentImpact;
            ImpactDecay[i] = Math.Exp(-Dt * Math.Log(2.0) / a.ImpactHalfLife.Years);
        }
        Liquidity = LiquidityModule.Tables(s.Assets, Dt);

        var venue = s.Venue;
        Margin = new MarginKind[n];
        MarginRate = new double[n];
        MarginFloor = new double[n];
        MarginVolScale = new double[n];
        TierStart = new int[n + 1];
        var caps = new List<double>();
        var rates = new List<double>();
        var amounts = new List<double>();
        for (int i = 0; i < n; i++)
        {
            switch (venue.MaintenanceMargin[i])
            {
                case StaticMargin st:
                    Margin[i] = MarginKind.Static;
                    MarginRate[i] = st.Rate;
                    break;
                case TieredMargin t:
                    Margin[i] = MarginKind.Tiered;
                    foreach (var tier in t.Tiers)
                    {
                        caps.Add(tier.Cap);
                        rates.Add(tier.Rate);
                        amounts.Add(tier.Amount);
                    }
                    break;
                case DynamicMargin d:
                    Margin[i] = MarginKind.Dynamic;
                    MarginFloor[i] = d.Floor;
                    MarginVolScale[i] = d.Z * Math.Sqrt(d.CloseOutHorizon.Years);
                    break;
            }
            TierStart[i + 1] = caps.Count;
        }
        TierCap = caps.ToArray();
        TierRate = rates.ToArray();
        TierAmount = amounts.ToArray();
        Penalty = venue.LiquidationPenalty;
        OracleDelay = OracleModule.EffectiveDelay(venue.OracleDelaySteps, Steps);
        FundStart = venue.InsuranceFund;
        Tranche = venue.Liquidation.Tranche;
        DustPerAccount = venue.Liquidation.DustNotional;
        RoundCap = venue.RoundCap;
        CascadeThreshold = s.CascadeThreshold;
        RunawayLogBound = Math.Log(s.RunawayBound);

        var cohorts = s.Book.Cohorts.AddRange(BookGenerator.Generate(s));
        Cohorts = cohorts;
        int c = CohortCount = cohorts.Length;
        Accounts = new double[c];
        UsdCollateral = new double[c];
        EntryValue = new double[c];
        PositionStart = new int[c + 1];
        CollateralStart = new int[c + 1];
        var posAsset = new List<int>();
        var posUnits = new List<double>();
        var posEntry = new List<double>();
        var colAsset = new List<int>();
        var colUnits = new List<double>();
        BookUnits = new double[n];
        LiquidateAtStart = cohorts.Select(x => x.LiquidateAtStart).ToArray();
        for (int j = 0; j < c; j++)
        {
            var cohort = cohorts[j];
            Accounts[j] = cohort.Accounts;
            UsdCollateral[j] = cohort.UsdCollateral;
            double entryValue = 0;
            foreach (var p in cohort.Positions)
            {
                posAsset.Add(p.AssetIndex);
                posUnits.Add(p.Units);
                posEntry.Add(p.EntryPrice);
                entryValue += p.Units * p.EntryPrice;
                BookUnits[p.AssetIndex] += Math.Abs(p.Units);
            }
            EntryValue[j] = entryValue;
            PositionStart[j + 1] = posAsset.Count;
            foreach (var h in cohort.Collateral)
            {
                colAsset.Add(h.AssetIndex);
                colUnits.Add(h.Units);
            }
            CollateralStart[j + 1] = colAsset.Count;
        }
        PositionAsset = posAsset.ToArray();
        PositionUnits = posUnits.ToArray();
        PositionEntry = posEntry.ToArray();
        PositionTiered = PositionAsset.Select(a => Margin[a] == MarginKind.Tiered).ToArray();
        CollateralAsset = colAsset.ToArray();
        CollateralUnits = colUnits.ToArray();
        BuildScreening();
    }

    /// <summary>
    /// Exact screening of untouched cohorts. With static rates, equity minus requirement of a cohort still at its
    /// starting state is linear in the oracle prices: f(o) = f(p0) + sum_a g_a (o_a - p0_a), with g_a summing
    /// q - m_a |q| over its positions in asset a and w_a h over its collateral in a. A tiered rule is bounded above
    /// by its highest rate (and its lowest amount), which only makes f smaller, so the bound still holds. Hence
    /// f(o) >= S_c (r_c - delta), delta = max_a |o_a / p0_a - 1|, S_c = sum_a |g_a| p0_a, r_c = f(p0) / S_c.
    /// A dynamic rule is screened at its floor; its excess e_a(t) = m_a(t) - floor_a &gt;= 0 costs at most
    /// E (1 + delta) u_c S_c with E = max_a e_a(t) and u_c = (dynamic notional at p0) / S_c &lt;= U (DynamicExposure).
    /// So a cohort cannot be liquidatable while r_c &gt; delta + E (1 + delta) U: cohorts sorted by r_c give, for any
    /// round, the prefix worth checking; the others are skipped with a proof, so results are unchanged.
    /// Direction: when every g_a &gt;= 0 (a long book: only falls hurt), sum_a g_a (o_a - p0_a) &gt;= -S_c D-, D- the
    /// largest relative fall, so delta may be replaced by D-; when every g_a &lt;= 0, by D+, the largest rise. The
    /// cohorts are therefore sorted in three groups (falls, rises, mixed), each with its own prefix. A cohort wholly in
    /// one asset a (every position and collateral holding in a) has only g_a, so its bound needs only a's own move:
    /// D-_a or D+_a, and E_a (1 + max(D-_a, D+_a)) U for a dynamic rule on a. Such cohorts, the large majority of an
    /// isolated-margin book, get two groups per asset (long, short), so a fall of SOL does not check BTC's longs.
    /// </summary>
    private void BuildScreening()
    {
        int n = AssetCount, c = CohortCount;
        var screenable = new List<(int Group, double Slack, int Cohort)>();
        Screenable = new bool[c];
        var g = new double[n];
        double exposure = 0;
        for (int j = 0; j < c; j++)
        {
            Array.Clear(g);
            double constant = 0; // requirement not proportional to notional (negative tier amounts)
            double dynamicNotional = 0;
            for (int p = PositionStart[j]; p < PositionStart[j + 1]; p++)
            {
                int a = PositionAsset[p];
                double rate = MarginRate[a];
                if (Margin[a] == MarginKind.Dynamic)
                {
                    // The rate is floor + e(t) with e >= 0 following the path's volatility: screen at the floor and
                    // bound the rest per round by e(t) times this notional (see the summary).
                    rate = MarginFloor[a];
                    dynamicNotional += Math.Abs(PositionUnits[p]) * Math.Exp(LogPrice0[a]);
                }
                else if (Margin[a] == MarginKind.Tiered)
                {
                    // n rate_t - A amount_t <= n max(rate) - A min(amount) for every bracket t.
                    rate = 0;
                    double minAmount = double.PositiveInfinity;
                    for (int t = TierStart[a]; t < TierStart[a + 1]; t++)
                    {
                        rate = Math.Max(rate, TierRate[t]);
                        minAmount = Math.Min(minAmount, TierAmount[t]);
                    }
                    constant += Accounts[j] * Math.Max(0.0, -minAmount);
                }
                g[a] += PositionUnits[p] - rate * Math.Abs(PositionUnits[p]);
            }
            for (int k = CollateralStart[j]; k < CollateralStart[j + 1]; k++)
                g[CollateralAsset[k]] += CollateralWeight[CollateralAsset[k]] * CollateralUnits[k];
            double f0 = UsdCollateral[j] - EntryValue[j] - constant, scale = 0;
            bool anyPositive = false, anyNegative = false;
            // The magnitudes the margin check adds up: its rounding is a few ulps of this.
            double magnitude = Math.Abs(UsdCollateral[j]) + Math.Abs(EntryValue[j]) + constant;
            for (int p = PositionStart[j]; p < PositionStart[j + 1]; p++)
                magnitude += 2 * Math.Abs(PositionUnits[p]) * Math.Exp(LogPrice0[PositionAsset[p]]);
            for (int k = CollateralStart[j]; k < CollateralStart[j + 1]; k++)
                magnitude += Math.Abs(CollateralUnits[k]) * Math.Exp(LogPrice0[CollateralAsset[k]]);
            for (int a = 0; a < n; a++)
            {
                double p0 = Math.Exp(LogPrice0[a]);
                f0 += g[a] * p0;
                scale += Math.Abs(g[a]) * p0;
                anyPositive |= g[a] > 0;
                anyNegative |= g[a] < 0;
            }
            int group = anyNegative ? (anyPositive ? 2 : 1) : 0;
            int single = SingleAsset(j);
            if (single >= 0 && group < 2) group = ScreenGroups + 2 * single + group;
            double slack;
            if (scale <= ScreenMinimumScale * magnitude)
            {
                // Nearly balanced (price moves barely change its margin): the normalised slack and its epsilon mean
                // nothing, and with a dynamic rule the rise above the floor is what matters. Always check it.
                slack = scale > 0 || dynamicNotional > 0 || f0 <= 0 ? double.NegativeInfinity : double.PositiveInfinity;
            }
            else if (dynamicNotional / scale > ScreenMaximumExposure)
            {
                slack = double.NegativeInfinity; // would make U, and so every cohort's bound, loose: always check it
            }
            else
            {
                slack = f0 / scale;
                exposure = Math.Max(exposure, dynamicNotional / scale);
            }
            screenable.Add((group, slack, j));
            Screenable[j] = true;
        }
        screenable.Sort();
        ScreenOrder = screenable.Select(x => x.Cohort).ToArray();
        ScreenSlack = screenable.Select(x => x.Slack).ToArray();
        ScreenGroupStart = new int[ScreenGroupCount + 1];
        foreach (var x in screenable) ScreenGroupStart[x.Group + 1]++;
        for (int k = 0; k < ScreenGroupCount; k++) ScreenGroupStart[k + 1] += ScreenGroupStart[k];
        DynamicExposure = exposure;
    }

    /// <summary>
    /// Several venues (docs/model.md section 9): the factor of the markets' correlation built from the underlyings' own,
    /// row v U + a of the markets being row a of the underlyings' (zeros past column U), so that every market of an
    /// underlying sums the same products in the same order and takes bit for bit the shock the underlying would alone.
    /// </summary>
    private static double[] MarketsCholesky(VenueSetSpec set, int n)
    {
        int u = set.Assets.Length;
        var under = CorrelationFactor.Cholesky(set.Correlation.AsSpan(), u);
        var lower = new double[n * n];
        for (int k = 0; k < n; k++)
            for (int b = 0; b < u; b++) lower[k * n + b] = under[k % u * u + b];
        return lower;
    }

    /// <summary>The asset that every position and collateral holding of cohort <paramref name="j"/> is in, or -1.</summary>
    private int SingleAsset(int j)
    {
        int asset = -1;
        for (int p = PositionStart[j]; p < PositionStart[j + 1]; p++)
        {
            if (asset >= 0 && PositionAsset[p] != asset) return -1;
            asset = PositionAsset[p];
        }
        for (int k = CollateralStart[j]; k < CollateralStart[j + 1]; k++)
        {
            if (asset >= 0 && CollateralAsset[k] != asset) return -1;
            asset = CollateralAsset[k];
        }
        return asset;
    }

    /// <summary>Validates the scenario and flattens it. Throws <see cref="ScenarioException"/> when invalid.</summary>
    public static SimulationPlan Build(Scenario scenario)
    {
        ScenarioValidator.EnsureValid(scenario);
        return new SimulationPlan(scenario);
    }
}
