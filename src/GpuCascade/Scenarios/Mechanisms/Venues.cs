using System.Collections.Immutable;
using System.Text.Json;
using GpuCascade.Kernels;
using GpuCascade.Operations;
using static GpuCascade.Scenarios.FieldPath;

namespace GpuCascade.Scenarios;

/// <summary>
/// Several venues trading the same assets (docs/model.md section 9): each with its own book and venue rules, coupled by a
/// common pool of depth and by arbitrageurs. A scenario with <c>venues</c> keeps them here, as written, while its
/// <see cref="Scenario.Assets"/> are the markets (one per venue and asset, venue-major, <c>BTC@binance</c>), its
/// <see cref="Scenario.Venue"/> the venues' rules merged per market and its <see cref="Scenario.Book"/> every venue's listed
/// cohorts on their markets, so that every part of the engine sees one consistent market.
/// </summary>
public sealed record VenueSetSpec
{
    /// <summary>The assets as written (the underlyings); the scenario's assets are their markets.</summary>
    public required ImmutableArray<AssetSpec> Assets { get; init; }
    /// <summary>The underlyings' correlation as written (row-major U x U); empty for the identity.</summary>
    public ImmutableArray<double> Correlation { get; init; } = ImmutableArray<double>.Empty;
    /// <summary>The stress shocks as written, on the underlyings (each moves every venue's market of its asset).</summary>
    public ImmutableArray<StressShock> Stress { get; init; } = ImmutableArray<StressShock>.Empty;
    /// <summary>The venues, in order (at most <see cref="MaxVenues"/>).</summary>
    public required ImmutableArray<TradingVenue> Venues { get; init; }
    /// <summary>The share s of every asset's depth in a common pool that every venue's book reaches [0]; the rest is
    /// split among the venues by their <see cref="TradingVenue.DepthShare"/>.</summary>
    public double SharedDepth { get; init; }
    /// <summary>Arbitrageurs between the venues; null for none.</summary>
    public ArbitrageSpec? Arbitrage { get; init; }

    /// <summary>Venues a scenario may have (the run reports each).</summary>
    public const int MaxVenues = VenueOutput.MaxVenues;

    /// <summary>The index of the venue called <paramref name="name"/>, or -1.</summary>
    public int IndexOf(string name)
    {
        for (int v = 0; v < Venues.Length; v++)
            if (Venues[v].Name == name) return v;
        return -1;
    }

    /// <summary>Value equality, arrays compared element by element.</summary>
    public bool Equals(VenueSetSpec? other) =>
        other is not null && Sequence.Equal(Assets, other.Assets) && Sequence.Equal(Correlation, other.Correlation)
        && Sequence.Equal(Stress, other.Stress) && Sequence.Equal(Venues, other.Venues) && SharedDepth.Equals(other.SharedDepth)
        && Equals(Arbitrage, other.Arbitrage);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Sequence.Hash(Assets), Sequence.Hash(Correlation), Sequence.Hash(Stress),
        Sequence.Hash(Venues), SharedDepth, Arbitrage);
}

/// <summary>One venue of several (docs/model.md section 9).</summary>
/// <param name="Name">Its name, unique in the scenario; its markets are <c>SYMBOL@Name</c>.</param>
/// <param name="Venue">Its rules (margins per asset, penalty, insurance fund, liquidation, ADL), as a one-venue scenario's.</param>
/// <param name="Book">Its book, on the scenario's assets.</param>
/// <param name="DepthShare">Its share of the depth not in the common pool; the venues' shares add up to 1.</param>
public sealed record TradingVenue(string Name, VenueSpec Venue, BookSpec Book, double DepthShare);

/// <summary>Arbitrageurs between venues (docs/model.md section 9).</summary>
/// <param name="Speed">kappa in (0, 1]: the share of each venue's gap to the depth-weighted mean price they close per step.</param>
/// <param name="Capital">USD: the most their gross inventory may be worth [+infinity].</param>
/// <param name="Delay">L in [0, steps): they act on the gaps they saw L steps earlier [0]; kappa must then stay below the
/// stability bound 2 cos(L pi / (2L + 1)), as for returning liquidity.</param>
public sealed record ArbitrageSpec(double Speed, double Capital, int Delay = 0);

/// <summary>
/// Several venues on the host (docs/model.md section 9; the path's side is kernels/GpuCascade.Kernels/Mechanisms/Venues.cs):
/// the binding of <c>venues</c> and <c>coupling</c>, the expansion into markets, the validation (each venue as a one-venue
/// scenario, its errors under <c>venues[v]</c>), the canonical JSON, the packing into <see cref="VenuesParams"/> and the
/// outputs.
/// </summary>
internal static class VenuesModule
{
    /// <summary>The scenario's keys.</summary>
    public const string Name = "venues", CouplingName = "coupling";

    /// <summary>The scenario venue <paramref name="v"/> would be alone: the assets as written and that venue's rules and book.</summary>
    public static Scenario Template(Scenario s, int v)
    {
        var set = s.Venues ?? throw new ArgumentException("the scenario has one venue", nameof(s));
        return s with
        {
            Assets = set.Assets, Correlation = set.Correlation, Stress = set.Stress,
            Venue = set.Venues[v].Venue, Book = set.Venues[v].Book, Venues = null,
        };
    }

    private static string Num(double x) => x.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Each venue's venue mechanism <typeparamref name="T"/> (null where it has none), in venue order; the one
    /// venue's with one venue.</summary>
    public static T?[] PerVenue<T>(Scenario s) where T : MechanismSpec =>
        s.Venues is { } set ? [.. set.Venues.Select(v => v.Venue.Mechanisms.Get<T>())] : [s.Venue?.Mechanisms?.Get<T>()];

    /// <summary>Refuses a scenario with several venues where <paramref name="what"/> takes one venue (fit, book, nowcast).</summary>
    /// <exception cref="ScenarioException">The scenario has several venues.</exception>
    public static void RequireOneVenue(Scenario s, string what)
    {
        if (s.Venues is not null)
            throw new ScenarioException(new ScenarioError(Name, $"{what} takes a base scenario with one venue (venue and book) for now"));
    }

    /// <summary>Market symbol of <paramref name="symbol"/> on <paramref name="venue"/>.</summary>
    public static string Market(string symbol, string venue) => $"{symbol}@{venue}";

    /// <summary>
    /// The scenario of markets for <paramref name="set"/>, from <paramref name="template"/> (its assets, correlation and stress
    /// are the underlyings'): market k = venue k / U, asset k % U, with the venue's visible depth (the pool plus its own
    /// share), margins, and listed cohorts; the rules the kernel takes per venue (penalty, tranche, dust, fund, ADL) are
    /// packed from <paramref name="set"/>, the merged venue holding their sums or the first venue's.
    /// </summary>
    public static Scenario Expand(Scenario template, VenueSetSpec set)
    {
        int u = set.Assets.Length, venues = set.Venues.Length;
        var assets = ImmutableArray.CreateBuilder<AssetSpec>(u * venues);
        var margins = ImmutableArray.CreateBuilder<MarginRule>(u * venues);
        var cohorts = ImmutableArray.CreateBuilder<CohortSpec>();
        for (int v = 0; v < venues; v++)
        {
            var venue = set.Venues[v];
            double factor = VisibleDepth(set, v);
            for (int i = 0; i < u; i++)
            {
                var a = set.Assets[i];
                ImpactSpec impact = a.Impact switch
                {
                    LinearImpact lin => new LinearImpact(lin.Depth1Pct * factor),
                    SquareRootImpact sq => sq with { DailyVolume = sq.DailyVolume * factor },
                    var other => other,
                };
                assets.Add(a with { Symbol = Market(a.Symbol, venue.Name), Impact = impact });
                margins.Add(venue.Venue.MaintenanceMargin[i]);
            }
            foreach (var c in venue.Book.Cohorts) cohorts.Add(OnVenue(c, v, u, venue.Name));
        }
        int n = u * venues;
        var correlation = new double[n * n];
        for (int a = 0; a < n; a++)
            for (int b = 0; b < n; b++)
            {
                int i = a % u, j = b % u;
                correlation[a * n + b] = i == j ? 1.0 : set.Correlation.IsDefaultOrEmpty ? 0.0 : set.Correlation[i * u + j];
            }
        var stress = ImmutableArray.CreateBuilder<StressShock>();
        foreach (var shock in set.Stress)
            for (int v = 0; v < venues; v++) stress.Add(shock with { AssetIndex = v * u + shock.AssetIndex });
        var first = set.Venues[0].Venue;
        var backstop = set.Venues.Select(x => x.Venue.Mechanisms.Get<BackstopSpec>()).FirstOrDefault(b => b is not null);
        var adversary = set.Venues.Select(x => x.Venue.Mechanisms.Get<AdversarySpec>()).FirstOrDefault(b => b is not null);
        var breaker = set.Venues.Select(x => x.Venue.Mechanisms.Get<CircuitBreakerSpec>()).FirstOrDefault(b => b is not null);
        var oracle = set.Venues.Select(x => x.Venue.Mechanisms.Get<OracleSpec>()).FirstOrDefault(b => b is not null);
        var mechanisms = MechanismSet.Empty;
        if (oracle is not null) mechanisms = mechanisms.With(oracle);
        if (backstop is not null) mechanisms = mechanisms.With(backstop);
        if (breaker is not null) mechanisms = mechanisms.With(breaker);
        if (adversary is not null) mechanisms = mechanisms.With(adversary);
        var merged = first with
        {
            // The switches of each venue's oracle pipeline, backstop, circuit breaker and front-runner (the kernel takes each
            // venue's own: OracleFeedsParams, BackstopParams, CircuitBreakerParams, AdversaryParams).
            Mechanisms = mechanisms,
            MaintenanceMargin = margins.ToImmutable(),
            InsuranceFund = set.Venues.Sum(x => x.Venue.InsuranceFund),
            Adl = set.Venues.Any(x => x.Venue.Adl),
            // The engine's switches: the longest oracle delay (its ring), capacity on when some venue has one; the kernel
            // then takes each venue's own (VenuesParams).
            OracleDelaySteps = set.Venues.Max(x => x.Venue.OracleDelaySteps),
            LiquidationCapacity = set.Venues.Min(x => x.Venue.LiquidationCapacity),
        };
        return template with
        {
            Assets = assets.ToImmutable(), Correlation = [.. correlation], Stress = stress.ToImmutable(), Venue = merged,
            Book = new BookSpec { Cohorts = cohorts.ToImmutable() }, Venues = set,
        };
    }

    /// <summary>
    /// <paramref name="s"/> with the book <paramref name="book"/> (its cohorts on markets, no generator); with several
    /// venues each venue's book becomes its share of those cohorts, on the assets as written, with no generator, so that the
    /// venues as written and the markets stay one scenario (compare holds a generated book fixed this way).
    /// </summary>
    public static Scenario WithBook(Scenario s, ImmutableArray<CohortSpec> book)
    {
        var market = new BookSpec { Cohorts = book };
        if (s.Venues is not { } set) return s with { Book = market };
        int u = set.Assets.Length;
        var venues = set.Venues.Select((venue, v) =>
        {
            string prefix = venue.Name + ":";
            var own = book.Where(c => CohortVenue(c, u) == v).Select(c => c with
            {
                Name = c.Name is { } name && name.StartsWith(prefix, StringComparison.Ordinal) ? name[prefix.Length..] : c.Name,
                Positions = [.. c.Positions.Select(p => p with { AssetIndex = p.AssetIndex % u })],
                Collateral = [.. c.Collateral.Select(h => h with { AssetIndex = h.AssetIndex % u })],
            });
            return venue with { Book = new BookSpec { Cohorts = [.. own] } };
        });
        return s with { Book = market, Venues = set with { Venues = [.. venues] } };
    }

    /// <summary><paramref name="s"/> with each asset changed by <paramref name="change"/>: the assets as written and, with
    /// several venues, their markets alike (the symbol and depth of a market stay its own).</summary>
    public static Scenario WithAssets(Scenario s, Func<AssetSpec, AssetSpec> change)
    {
        if (s.Venues is not { } set) return s with { Assets = [.. s.Assets.Select(change)] };
        return s with
        {
            Assets = [.. s.Assets.Select(a => change(a) with { Symbol = a.Symbol, Impact = a.Impact })],
            Venues = set with { Assets = [.. set.Assets.Select(change)] },
        };
    }

    /// <summary>Venue <paramref name="v"/>'s visible depth as a share of the asset's: the pool s plus (1 - s) times its share.</summary>
    public static double VisibleDepth(VenueSetSpec set, int v) => set.SharedDepth + (1 - set.SharedDepth) * set.Venues[v].DepthShare;

    /// <summary>The sum of the venues' visible depth shares, 1 + (N - 1) s: what every venue's visible depth together is of
    /// the asset's (1 with one venue).</summary>
    public static double VisibleDepthSum(Scenario s) =>
        s.Venues is { } set ? Enumerable.Range(0, set.Venues.Length).Sum(v => VisibleDepth(set, v)) : 1.0;

    /// <summary>Market <paramref name="k"/>'s share of its asset's participants (returning liquidity's capital, dealers'
    /// gamma, docs/model.md section 9): its venue's visible depth over the sum of the venues' (1 with one venue).</summary>
    public static double ParticipantShare(Scenario s, int k) =>
        s.Venues is { } set ? VisibleDepth(set, k / set.Assets.Length) / VisibleDepthSum(s) : 1.0;

    /// <summary>Cohort <paramref name="c"/> of venue <paramref name="v"/> on its markets (asset i becomes market v U + i),
    /// named <c>venue:name</c>.</summary>
    public static CohortSpec OnVenue(CohortSpec c, int v, int u, string venue) => c with
    {
        Name = c.Name is null ? null : $"{venue}:{c.Name}",
        Positions = [.. c.Positions.Select(p => p with { AssetIndex = v * u + p.AssetIndex })],
        Collateral = [.. c.Collateral.Select(h => h with { AssetIndex = v * u + h.AssetIndex })],
    };

    /// <summary>
    /// Every problem of a scenario with several venues: each venue validated as the one-venue scenario it would be alone
    /// (its errors under <c>venues[v].venue</c> and <c>venues[v].book</c>, the shared keys' errors once), then the set's own
    /// rules: 2 to <see cref="VenueSetSpec.MaxVenues"/> venues with distinct names, depth shares in (0, 1] adding up to 1, the
    /// pool's share in [0, 1], the arbitrage's speed in (0, 1] and capital &gt; 0, and the round cap (the engine's) equal;
    /// mechanisms that are not per venue yet are refused.
    /// </summary>
    public static IReadOnlyList<ScenarioError> Validate(Scenario s)
    {
        var set = s.Venues!;
        var d = new Diagnostics();
        if (set.Venues.IsDefaultOrEmpty || set.Venues.Length < 2 || set.Venues.Length > VenueSetSpec.MaxVenues)
        {
            d.Add(Name, $"must list 2 to {VenueSetSpec.MaxVenues} venues, got {(set.Venues.IsDefault ? 0 : set.Venues.Length)}");
            return d.Errors;
        }
        var seen = new HashSet<string>();
        var errors = new List<ScenarioError>();
        var shared = new HashSet<(string, string)>();
        for (int v = 0; v < set.Venues.Length; v++)
        {
            var venue = set.Venues[v];
            string path = Index(Name, v);
            if (string.IsNullOrWhiteSpace(venue.Name) || venue.Name.Contains('@') || venue.Name.Contains(':'))
                d.Add(Key(path, "name"), $"must be a non-empty name without '@' or ':', got {Echo.Quote(venue.Name ?? "")}");
            else if (!seen.Add(venue.Name))
                d.Add(Key(path, "name"), $"{Echo.Quote(venue.Name)} names two venues; names must be unique");
            d.Require(venue.DepthShare > 0 && venue.DepthShare <= 1, Key(path, "depthShare"), $"must be in (0, 1], got {Num(venue.DepthShare)}");
            foreach (var e in ScenarioValidator.Validate(Template(s, v)))
            {
                string p = e.Path;
                if (p == "venue" || p.StartsWith("venue.", StringComparison.Ordinal) || p == "book" || p.StartsWith("book.", StringComparison.Ordinal)
                    || p.StartsWith("book[", StringComparison.Ordinal))
                    errors.Add(e with { Path = Key(path, p) });
                else if (shared.Add((p, e.Message))) errors.Add(e);
            }
        }
        if (!double.IsFinite(set.Venues.Sum(x => x.Venue.InsuranceFund)))
            d.Add(Name, "the venues' insurance funds must add up to a finite amount");
        if (set.Venues.Sum(x => (long)x.Book.Cohorts.Length) > ScenarioLimits.MaxCohorts)
            d.Add(Name, $"the venues list more than {ScenarioLimits.MaxCohorts:N0} cohorts together");
        if (errors.Count == 0 && d.Count == 0) Consistent(s, set, d);
        double shares = set.Venues.Sum(x => x.DepthShare);

        if (Math.Abs(shares - 1) > 1e-9)
            d.Add(Name, $"the venues' depthShare must add up to 1, got {Num(shares)}");
        d.Require(set.SharedDepth >= 0 && set.SharedDepth <= 1, Key(CouplingName, "sharedDepth"), $"must be in [0, 1], got {Num(set.SharedDepth)}");
        if (set.Arbitrage is { } arb)
        {
            bool speedOk = d.Require(arb.Speed > 0 && arb.Speed <= 1, Key(CouplingName, "arbitrage.speed"), $"must be in (0, 1], got {Num(arb.Speed)}");
            d.Require(arb.Capital > 0, Key(CouplingName, "arbitrage.capital"), $"must be > 0, got {Num(arb.Capital)}");
            bool delayOk = d.IntegerIn(Key(CouplingName, "arbitrage.delay"), arb.Delay, 0, Math.Max(0, s.Steps - 1));
            if (speedOk && delayOk && arb.Delay >= 1 && !(arb.Speed < ReturningLiquidityModule.StabilityBound(arb.Delay)))
                d.Add(Key(CouplingName, "arbitrage.speed"), $"must be < {Num(ReturningLiquidityModule.StabilityBound(arb.Delay))} with delay " +
                    $"{arb.Delay} (2 cos(L pi / (2L + 1)): from there gaps seen late oscillate ever wider)");
        }
        var rules = set.Venues[0].Venue;
        for (int v = 1; v < set.Venues.Length; v++)
        {
            var other = set.Venues[v].Venue;
            string path = Key(Index(Name, v), "venue");
            if (other.RoundCap != rules.RoundCap)
                d.Add(Key(path, "roundCap"), "must equal the first venue's: the round cap is the engine's");
        }
        if (s.History is not null && errors.Count == 0 && d.Count == 0) HistoryModule.ValidateMarkets(d, Template(s, 0), s.Assets.Length);
        errors.AddRange(d.Errors);
        return errors;
    }

    /// <summary>
    /// A scenario with several venues is its venues expanded into markets (<see cref="Expand"/>); one changed in code
    /// (<c>with</c> on its assets, venue, book or correlation) would run something other than what it records, so it is
    /// refused: change the venues as written (<see cref="Scenario.With(string, double)"/> with <c>venues[i]...</c> keys).
    /// </summary>
    private static void Consistent(Scenario s, VenueSetSpec set, Diagnostics d)
    {
        var expected = Expand(s with { Assets = set.Assets, Correlation = set.Correlation, Stress = set.Stress, Venues = null }, set);
        const string fix = "differs from the venues it was made from; change the venues as written (Scenario.With(\"venues[i]...\", value))";
        if (!Sequence.Equal(expected.Assets, s.Assets)) d.Add("assets", "the markets " + fix);
        if (!Sequence.Equal(expected.Correlation, s.Correlation)) d.Add("correlation", "the markets' correlation " + fix);
        if (!Sequence.Equal(expected.Stress, s.Stress)) d.Add("stress", "the markets' stress " + fix);
        if (!Equals(expected.Venue, s.Venue)) d.Add("venue", "the merged venue " + fix);
        // Venue by venue in order (a book held fixed by compare lists every venue's cohorts before its generated ones).
        int u = set.Assets.Length;
        for (int v = 0; v < set.Venues.Length; v++)
            if (!Sequence.Equal([.. expected.Book.Cohorts.Where(c => CohortVenue(c, u) == v)], s.Book.Cohorts.Where(c => CohortVenue(c, u) == v).ToImmutableArray()))
            {
                d.Add("book", "the markets' book " + fix);
                break;
            }
    }

    /// <summary>
    /// The canonical JSON of the venues: <c>venues: [{name, depthShare, venue, book}]</c> and <c>coupling</c>, each venue's
    /// rules and book written as its one-venue scenario's by <paramref name="venue"/> and <paramref name="book"/>.
    /// </summary>
    public static void WriteJson(Utf8JsonWriter w, Scenario s, Action<Utf8JsonWriter, Scenario> venue, Action<Utf8JsonWriter, Scenario> book)
    {
        var set = s.Venues!;
        w.WriteStartArray(Name);
        for (int v = 0; v < set.Venues.Length; v++)
        {
            var t = Template(s, v);
            w.WriteStartObject();
            w.WriteString("name", set.Venues[v].Name);
            ScenarioJson.Number(w, "depthShare", set.Venues[v].DepthShare);
            venue(w, t);
            book(w, t);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartObject(CouplingName);
        ScenarioJson.Number(w, "sharedDepth", set.SharedDepth);
        if (set.Arbitrage is { } arb)
        {
            w.WriteStartObject("arbitrage");
            ScenarioJson.Number(w, "speed", arb.Speed);
            ScenarioJson.Number(w, "capital", arb.Capital);
            if (arb.Delay != 0) w.WriteNumber("delay", arb.Delay);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    /// <summary>The kernel's parameters; off with one venue.</summary>
    public static VenuesParams Pack(Scenario s, IReadOnlyList<CohortSpec> cohorts, double dt, Func<IEnumerable<double>, int> realArray,
        Func<IEnumerable<int>, int> intArray)
    {
        if (s.Venues is not { } set) return default;
        int[] delays = [.. set.Venues.Select(x => OracleModule.EffectiveDelay(x.Venue.OracleDelaySteps, s.Steps))];
        int u = set.Assets.Length, venues = set.Venues.Length;
        var pool = new double[u * venues];
        for (int v = 0; v < venues; v++)
        {
            double visible = VisibleDepth(set, v);
            for (int i = 0; i < u; i++) pool[v * u + i] = set.SharedDepth > 0 ? set.SharedDepth / visible : 0;
        }
        return new VenuesParams
        {
            On = 1,
            Pool = set.SharedDepth > 0 ? 1 : 0,
            ArbitrageOn = set.Arbitrage is null ? 0 : 1,
            Count = venues,
            Underlyings = u,
            CohortVenue = intArray(cohorts.Select(c => CohortVenue(c, u))),
            Penalty = realArray(set.Venues.Select(x => x.Venue.LiquidationPenalty)),
            FundStart = realArray(set.Venues.Select(x => x.Venue.InsuranceFund)),
            Tranche = realArray(set.Venues.Select(x => x.Venue.Liquidation.Tranche)),
            Dust = realArray(set.Venues.Select(x => x.Venue.Liquidation.DustNotional)),
            Adl = intArray(set.Venues.Select(x => x.Venue.Adl ? 1 : 0)),
            PoolShare = realArray(pool),
            CapacityPerStep = realArray(set.Venues.Select(x => x.Venue.LiquidationCapacity * dt * 8760.0)),
            OracleDelay = intArray(delays),
            MixedOracle = delays.Distinct().Count() > 1 ? 1 : 0,
            ArbitrageKappa = set.Arbitrage?.Speed ?? 0,
            ArbitrageDelay = set.Arbitrage?.Delay ?? 0,
            ArbitrageCapital = set.Arbitrage?.Capital ?? double.PositiveInfinity,
        };
    }

    /// <summary>The venue of a cohort on markets: its first position's (or holding's) market over U; 0 for an empty cohort.</summary>
    public static int CohortVenue(CohortSpec c, int underlyings) =>
        c.Positions.Length > 0 ? c.Positions[0].AssetIndex / underlyings
        : c.Collateral.Length > 0 ? c.Collateral[0].AssetIndex / underlyings : 0;

    /// <summary>Real slots of the arbitrageurs' ring of delayed gaps in the mechanism region: delay x markets.</summary>
    public static int RingSlots(Scenario s) => s.Venues is { Arbitrage: { Delay: > 0 } arb } ? arb.Delay * s.Assets.Length : 0;

    /// <summary>Rows of venue <paramref name="v"/> (<c>venues.v{v}BadDebt</c>, ...).</summary>
    private static IEnumerable<OutputRow> VenueRows(int v)
    {
        string p = $"{Name}.v{v}";
        string c = $"venue{v}";
        const OutputAggregations mean = OutputAggregations.Mean, positive = OutputAggregations.Mean | OutputAggregations.Positive | OutputAggregations.Target;
        yield return new(p + "BadDebt", c + "BadDebt", OutputShape.PerPath, VenueOutput.Slot(v, VenueOutput.BadDebt), OutputStorage.Real,
            "USD", positive, $"venue {v + 1}'s bad debt") { Mechanism = Name, ProbabilityKey = $"probabilities.venue{v}BadDebt" };
        yield return new(p + "UncoveredBeforeAdl", c + "UncoveredBeforeAdl", OutputShape.PerPath, VenueOutput.Slot(v, VenueOutput.UncoveredBeforeAdl),
            OutputStorage.Real, "USD", positive, $"venue {v + 1}'s loss its fund could not pay")
        { Mechanism = Name, ProbabilityKey = $"probabilities.venue{v}FundDepleted", ProbabilityLabel = $"venue {v + 1}'s fund depleted" };
        yield return new(p + "UncoveredLoss", c + "UncoveredLoss", OutputShape.PerPath, VenueOutput.Slot(v, VenueOutput.Uncovered),
            OutputStorage.Real, "USD", mean, $"venue {v + 1}'s uncovered loss (after ADL)") { Mechanism = Name };
        yield return new(p + "FundEnd", c + "FundEnd", OutputShape.PerPath, VenueOutput.Slot(v, VenueOutput.FundEnd), OutputStorage.Real,
            "USD", mean, $"venue {v + 1}'s insurance fund at the end") { Mechanism = Name };
        yield return new(p + "LiquidatedNotional", c + "LiquidatedNotional", OutputShape.PerPath, VenueOutput.Slot(v, VenueOutput.LiquidatedNotional),
            OutputStorage.Real, "USD", mean, $"venue {v + 1}'s liquidated notional") { Mechanism = Name };
        yield return new(p + "Cascade", c + "Cascade", OutputShape.PerPath, VenueOutput.Slot(v, VenueOutput.Cascade), OutputStorage.Flag,
            "flag", positive, $"venue {v + 1}'s cascade") { Mechanism = Name, ProbabilityKey = $"probabilities.venue{v}Cascade" };
        yield return new(p + "ImportedMove", c + "ImportedMove", OutputShape.PerPath, VenueOutput.Slot(v, VenueOutput.ImportedMove),
            OutputStorage.Real, "log price", mean, $"venue {v + 1}'s largest move imported from other venues") { Mechanism = Name };
        yield return new(p + "MovedByOthers", c + "MovedByOthers", OutputShape.PerPath, VenueOutput.Slot(v, VenueOutput.MovedByOthers),
            OutputStorage.Flag, "flag", positive, $"venue {v + 1} moved past the cascade threshold by other venues")
        { Mechanism = Name, ProbabilityKey = $"probabilities.venue{v}MovedByOthers" };
        for (int w = 0; w < VenueOutput.MaxVenues; w++)
            if (w != v)
                yield return new(p + $"MovedBy{w}", c + $"MovedBy{w}", OutputShape.PerPath, VenueOutput.Slot(v, VenueOutput.MovedByField(v, w)),
                    OutputStorage.Flag, "flag", OutputAggregations.Positive, $"venue {v + 1} moved past the cascade threshold by venue {w + 1}")
                { Mechanism = Name, ProbabilityKey = $"probabilities.venue{v}MovedBy{w}" };
    }

    /// <summary>Its outputs: each venue's figures (up to <see cref="VenueSetSpec.MaxVenues"/>) and the arbitrageurs'.</summary>
    public static readonly OutputRow[] Outputs =
    [
        .. Enumerable.Range(0, VenueOutput.MaxVenues).SelectMany(VenueRows),
        new("venues.arbitragePnl", "arbitragePnl", OutputShape.PerPath, VenueOutput.ArbitragePnl, OutputStorage.Real, "USD",
            OutputAggregations.Mean, "the arbitrageurs' P&L") { Mechanism = Name },
        new("venues.arbitrageCapitalExhausted", "arbitrageCapitalExhausted", OutputShape.PerPath, VenueOutput.ArbitrageCapitalExhausted,
            OutputStorage.Flag, "flag", OutputAggregations.Positive, "the arbitrageurs' capital bound")
        { Mechanism = Name, ProbabilityKey = "probabilities.arbitrageCapitalExhausted" },
        new("venues.arbitrageTradeSteps", "arbitrageTradeSteps", OutputShape.PerPath, VenueOutput.ArbitrageTradeSteps, OutputStorage.Real,
            "steps", OutputAggregations.Mean, "steps the arbitrageurs traded in") { Mechanism = Name },
    ];
}
