using System.Collections.Immutable;
using GpuCascade.Market;
using GpuCascade.Scenarios;

namespace GpuCascade.Book;

/// <summary>
/// Builds a synthetic book from a few parameters per asset. Deterministic in <see cref="BookGeneratorSpec.Seed"/>
/// (Philox keyed by the book seed, counter = (cohort, asset, 0, slot)), independent of the path seed.
/// </summary>
/// <remarks>
/// Per asset, <c>cohortsPerAsset</c> cohorts split the open interest: the first round(n * longShare) are long (at
/// least one per side with a positive share when n &gt;= 2; a single cohort takes the whole open interest) and
/// share <c>(2 openInterest) longShare</c> equally, the rest are short (openInterest is one side, as reported). Each cohort draws
/// leverage = min(max, 0.8 w / m, max(1, median * exp(dispersion * z))), with m the cohort's requirement per unit of
/// gross notional and w the weight of its collateral (1 for USD), and an entry price
/// price * exp(entryDispersion * z'), and a family: cross-margin (a second position, same side, half the size, in the
/// next asset of the scenario, one USD pool), coin-margined (the collateral held in the asset itself) or isolated
/// with USD collateral. Collateral = gross notional at entry / leverage. A cohort that would start within 10% of
/// its maintenance requirement is given entry = current price (real books hold no liquidatable accounts).
/// <c>openInterest</c> counts the primary positions only; the longs and shorts together are twice it, less the
/// <c>hedgedShare</c> of each side held by delta-neutral accounts, which the book leaves out.
/// </remarks>
internal static class BookGenerator
{
    private const uint LeverageSlot = 0, EntrySlot = 1, FamilySlot = 2;
    private const double LeverageHeadroom = 0.8;
    private const double HealthMargin = 1.1;

    /// <summary>The generated cohorts, asset by asset in the generator's order, longs first.</summary>
    public static ImmutableArray<CohortSpec> Generate(Scenario scenario)
    {
        if (scenario.Venues is { } set)
        {
            // Several venues (docs/model.md section 9): each venue's generator on the assets as written, then on its markets.
            var all = ImmutableArray.CreateBuilder<CohortSpec>();
            for (int v = 0; v < set.Venues.Length; v++)
                foreach (var c in Generate(VenuesModule.Template(scenario, v)))
                    all.Add(VenuesModule.OnVenue(c, v, set.Assets.Length, set.Venues[v].Name));
            return all.ToImmutable();
        }
        var spec = scenario.Book.Generator;
        if (spec is null) return ImmutableArray<CohortSpec>.Empty;
        var cohorts = ImmutableArray.CreateBuilder<CohortSpec>();
        int assetCount = scenario.Assets.Length;
        foreach (var profile in spec.Assets)
        {
            int a = profile.AssetIndex;
            var asset = scenario.Assets[a];
            int n = spec.CohortsPerAsset;
            int longs = LongCohorts(n, profile.LongShare);
            for (int j = 0; j < n; j++)
            {
                bool isLong = j < longs;
                int sideCount = isLong ? longs : n - longs;
                // A side that gets every cohort carries the whole open interest (only possible with one cohort).
                // openInterest is one side, as exchanges and data vendors report it: the traders' longs are
                // (2 x openInterest) x longShare and their shorts (2 x openInterest) x (1 - longShare), in that order.
                // The hedged share (basis and delta-neutral accounts, hedged outside the venue) is never liquidated into a
                // move, so only the rest of each side enters the book.
                double traded = 2 * profile.OpenInterest * (1 - profile.HedgedShare);
                double sideOi = sideCount == n ? traded : traded * (isLong ? profile.LongShare : 1 - profile.LongShare);
                double notional = sideOi / sideCount;
                double sign = isLong ? 1.0 : -1.0;

                Draw(spec.Seed, j, a, LeverageSlot, out double zLev, out _);
                Draw(spec.Seed, j, a, EntrySlot, out double zEntry, out double zEntry2);
                RandomStreams.Words(spec.Seed, (ulong)(uint)j | ((ulong)(uint)a << 32), 0, FamilySlot,
                    out uint familyWord, out _, out _, out _);
                double familyU = RandomStreams.Uniform(familyWord);
                bool cross = familyU < spec.CrossMarginShare && assetCount > 1;
                bool coin = !cross && familyU < spec.CrossMarginShare + spec.CoinMarginedShare;
                int b = (a + 1) % assetCount;

                // Leverage cap: 25% headroom over the whole cohort's requirement at the current price, counting the
                // second position of a cross account and the weight of coin collateral.
                double requirement = MaintenanceMargin.Requirement(scenario.Venue.MaintenanceMargin[a], notional,
                    spec.AccountsPerCohort, asset.Volatility);
                double gross = notional;
                if (cross)
                {
                    requirement += MaintenanceMargin.Requirement(scenario.Venue.MaintenanceMargin[b], 0.5 * notional,
                        spec.AccountsPerCohort, scenario.Assets[b].Volatility);
                    gross += 0.5 * notional;
                }
                double collateralWeight = coin ? asset.CollateralWeight : 1.0;
                double leverageCap = LeverageHeadroom * collateralWeight * gross / requirement;
                double leverage = profile.LeverageMedian * Math.Exp(profile.LeverageDispersion * zLev);
                leverage = Math.Min(Math.Max(1.0, leverage), Math.Min(profile.LeverageMax, leverageCap));

                var positions = ImmutableArray.CreateBuilder<PositionSpec>();
                double entry = asset.Price * Math.Exp(profile.EntryDispersion * zEntry);
                positions.Add(new PositionSpec(a, sign * notional / entry, entry));
                if (cross)
                {
                    var other = scenario.Assets[b];
                    double otherEntry = other.Price * Math.Exp(profile.EntryDispersion * zEntry2);
                    positions.Add(new PositionSpec(b, sign * 0.5 * notional / otherEntry, otherEntry));
                }
                double collateralUsd = gross / leverage;
                var cohort = new CohortSpec
                {
                    Name = $"gen:{asset.Symbol}:{(isLong ? "long" : "short")}:{j}",
                    Accounts = spec.AccountsPerCohort,
                    Positions = positions.ToImmutable(),
                    UsdCollateral = coin ? 0.0 : collateralUsd,
                    Collateral = coin
                        ? ImmutableArray.Create(new CollateralHolding(a, collateralUsd / asset.Price))
                        : ImmutableArray<CollateralHolding>.Empty,
                };
                if (!IsHealthy(scenario, cohort))
                {
                    cohort = cohort with
                    {
                        Positions = cohort.Positions.Select(p =>
                            p with { Units = p.Units * p.EntryPrice / scenario.Assets[p.AssetIndex].Price,
                                     EntryPrice = scenario.Assets[p.AssetIndex].Price }).ToImmutableArray(),
                    };
                    // At entry = price the cap above leaves 25% headroom: failing here is a bug, not a scenario error.
                    if (!IsHealthy(scenario, cohort))
                        throw new InvalidOperationException($"book generator: cohort {cohort.Name} starts within 10% of maintenance");
                }
                cohorts.Add(cohort);
            }
        }
        return cohorts.ToImmutable();
    }

    /// <summary>round(n x longShare), keeping one cohort on each side that has a positive share when n &gt;= 2.</summary>
    private static int LongCohorts(int n, double longShare)
    {
        int longs = (int)Math.Round(n * longShare, MidpointRounding.AwayFromZero);
        if (n >= 2 && longShare > 0 && longs == 0) longs = 1;
        if (n >= 2 && longShare < 1 && longs == n) longs = n - 1;
        return longs;
    }

    /// <summary>Equity above 1.1 x maintenance at starting prices.</summary>
    private static bool IsHealthy(Scenario scenario, CohortSpec cohort)
    {
        var (equity, requirement, _) = MaintenanceMargin.AtStart(scenario, cohort);
        return equity > HealthMargin * requirement;
    }

    private static void Draw(ulong seed, int cohort, int asset, uint slot, out double z0, out double z1)
    {
        RandomStreams.Words(seed, (ulong)(uint)cohort | ((ulong)(uint)asset << 32), 0, slot,
            out uint r0, out uint r1, out _, out _);
        RandomStreams.BoxMuller(r0, r1, out z0, out z1);
    }
}
