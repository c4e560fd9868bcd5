using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using GpuCascade.Backends.Managed;
using GpuCascade.Paths;
using GpuCascade.Scenarios;
using GpuCascade.Simulation;
using GpuCascade.Tests.Backends;

namespace GpuCascade.Tests.Simulation;

/// <summary>
/// Several venues (docs/model.md section 9): two identical venues splitting one book and sharing all their depth give the
/// one-venue result; uncoupled venues each give, bit for bit, the run of that venue alone; arbitrage closes the gap
/// between venues within its capital; the file round-trips; bad inputs are refused at their fields.
/// </summary>
public class VenuesTests
{
    private static string R(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>A two-asset market over 6 hours in 5-minute steps with a crash at step 3 (BTC -4%, ETH -5%).</summary>
    private const string Market = """
        horizon: 6h
        steps: 72
        paths: 300
        seed: 5
        garch: {alpha: 0.05, beta: 0.9}
        assets:
          - {symbol: BTC, price: 100000, volatility: 0.8, depth1pct: 4.0e7}
          - {symbol: ETH, price: 3500, volatility: 1.0, depth1pct: 1.5e7}
        correlation: [[1, 0.8], [0.8, 1]]
        stress: [{step: 3, asset: BTC, logReturn: -0.04}, {step: 3, asset: ETH, logReturn: -0.05}]
        """;

    /// <summary>A ladder of isolated cohorts on both assets, longs and shorts, leverage 4 to 40; <paramref name="scale"/>
    /// multiplies every notional and account count.</summary>
    private static string Cohorts(double scale, string indent)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{indent}cohorts:\n");
        int k = 0;
        foreach (var asset in new[] { "BTC", "ETH" })
            for (int leverage = 4; leverage <= 40; leverage += 3)
            {
                string side = k++ % 4 == 3 ? "short" : "long";
                double notional = (asset == "BTC" ? 6.0e7 : 3.0e7) * (1 + leverage % 5) * scale;
                text.Append(CultureInfo.InvariantCulture,
                    $"{indent}  - {{name: {asset}{leverage}{side}, asset: {asset}, side: {side}, notional: {R(notional)}, leverage: {leverage}, accounts: {R(100 * scale)}}}\n");
            }
        return text.ToString();
    }

    private const string Rules = "maintenanceMargin: {BTC: 0.005, ETH: 0.01}, liquidationPenalty: 0.01, adl: true, liquidation: {mode: partial, tranche: 0.5}";

    private static string OneVenue(double fund) => $"{Market}\nvenue: {{{Rules}, insuranceFund: {R(fund)}}}\nbook:\n{Cohorts(1, "  ")}";

    private static string TwoVenues(string coupling, double fund, double scale = 0.5, string second = Rules, double share = 0.5, string first = Rules) => $$"""
        {{Market}}
        venues:
          - name: alpha
            depthShare: {{R(share)}}
            venue: {{{first}}, insuranceFund: {{R(fund)}}}
            book:
        {{Cohorts(scale, "      ")}}
          - name: beta
            depthShare: {{R(1 - share)}}
            venue: {{{second}}, insuranceFund: {{R(fund)}}}
            book:
        {{Cohorts(scale, "      ")}}
        coupling: {{coupling}}
        """;

    private static PathOutputs Simulate(Scenario s) => SimulationEngine.SimulatePaths(s, 0, (int)s.Paths, new ManagedBackend());

    private static void Close(double expected, double actual, string what, int path)
    {
        double tolerance = 1e-9 * Math.Max(1.0, Math.Abs(expected));
        Assert.That(Math.Abs(actual - expected), Is.LessThanOrEqualTo(tolerance), $"{what}, path {path}: {R(expected)} vs {R(actual)}");
    }

    /// <summary><paramref name="yaml"/> with the asset mechanisms <paramref name="btc"/> and <paramref name="eth"/> (YAML map
    /// entries, or empty) written beside each asset's depth.</summary>
    private static string WithAssetMechanisms(string yaml, string btc, string eth)
    {
        if (btc.Length > 0) yaml = Regex.Replace(yaml, @"(\{symbol: BTC, [^}]*)\}", m => $"{m.Groups[1].Value}, {btc}}}");
        if (eth.Length > 0) yaml = Regex.Replace(yaml, @"(\{symbol: ETH, [^}]*)\}", m => $"{m.Groups[1].Value}, {eth}}}");
        return yaml;
    }

    /// <summary>LPs on BTC whose capital binds, with a willingness that falls with volatility, delayed LPs on ETH, and short-gamma
    /// dealers on ETH with puts at 95%, for a share <paramref name="share"/> of the participants.</summary>
    private static (string Btc, string Eth) Participants(double share) => (
        $"returningLiquidity: {{kappa: 0.3, capital: {R(2.0e7 * share)}, volatilityExponent: 1, volatilityReference: 0.8}}",
        $"returningLiquidity: {{kappa: 0.4, delay: 2, capital: {R(1.0e8 * share)}}}, dealerGamma: {{gamma: {R(2.0e6 * share)}, putStrike: 0.95}}");

    /// <summary>Two identical venues splitting one book with all depth shared give the one-venue result; with the asset
    /// mechanisms (returning liquidity, dealers) each market's participants are half the asset's and trade together, so
    /// their P&amp;L, inventory and hedges are the one-venue ones too.</summary>
    [TestCase(false)]
    [TestCase(true)]
    public void TwoIdenticalVenuesSplittingOneBookWithAllDepthSharedGiveTheOneVenueResult(bool participants)
    {
        var (btc, eth) = participants ? Participants(1) : ("", "");
        var one = ScenarioLoader.LoadYaml(WithAssetMechanisms(OneVenue(2.0e6), btc, eth));
        var two = ScenarioLoader.LoadYaml(WithAssetMechanisms(TwoVenues("{sharedDepth: 1}", 1.0e6), btc, eth));
        var a = Simulate(one);
        var b = Simulate(two);
        if (participants)
        {
            Assert.That(a["returningLiquidity.capitalExhausted"].Sum(), Is.GreaterThan(10), "the LPs' capital must bind");
            Assert.That(a["dealerGamma.hedgeVolume"].Sum(), Is.GreaterThan(0), "and the dealers hedge");
            for (int p = 0; p < a.Count; p++)
            {
                foreach (string key in new[] { "returningLiquidity.pnl", "returningLiquidity.inventory", "returningLiquidity.tradeSteps", "dealerGamma.hedgeVolume" })
                    Close(a[key][p], b[key][p], key, p);
                Assert.That(b["returningLiquidity.capitalExhausted"][p], Is.EqualTo(a["returningLiquidity.capitalExhausted"][p]), $"capital bound, path {p}");
            }
        }
        Assert.That(a.Cascade.Sum(), Is.GreaterThan(10), "the crash must cascade on some paths");
        Assert.That(a.BadDebt.Sum(), Is.GreaterThan(0), "and leave bad debt");
        Assert.That(a["adl.lossAbsorbed"].Sum(), Is.GreaterThan(0), "and deleverage");
        for (int p = 0; p < a.Count; p++)
        {
            Close(a.BadDebt[p], b.BadDebt[p], "bad debt", p);
            Close(a.LiquidatedNotional[p], b.LiquidatedNotional[p], "liquidated notional", p);
            Close(a.FundEnd[p], b.FundEnd[p], "fund at the end", p);
            Close(a.UncoveredLoss[p], b.UncoveredLoss[p], "uncovered loss", p);
            Close(a["adl.lossAbsorbed"][p], b["adl.lossAbsorbed"][p], "ADL", p);
            Assert.That(b.Cascade[p], Is.EqualTo(a.Cascade[p]), $"cascade, path {p}");
            for (int v = 0; v < 2; v++)
            {
                Close(a.BadDebt[p] / 2, b[$"venues.v{v}BadDebt"][p], $"venue {v}'s bad debt", p);
                Close(a.FundEnd[p] / 2, b[$"venues.v{v}FundEnd"][p], $"venue {v}'s fund", p);
            }
            for (int i = 0; i < 2; i++)
            {
                var final = OutputSchema.FinalPrice;
                double price = a.Span(final, i)[p];
                Close(price, b.Span(final, i)[p], $"asset {i} on alpha", p);
                Assert.That(b.Span(final, 2 + i)[p], Is.EqualTo(b.Span(final, i)[p]), $"asset {i}: both venues quote one price, path {p}");
            }
        }
    }

    /// <summary>
    /// Two uncoupled venues with the rules <paramref name="first"/> and <paramref name="second"/> (a fund of 3M each, the
    /// book at 0.8, 60% and 40% of the depth), and each venue alone on its share of the depth: each venue's bad debt, fund,
    /// uncovered loss, liquidated notional, cascade and prices equal its run alone, bit for bit, and nothing is imported.
    /// Returns the two-venue run and the runs alone.
    /// </summary>
    private static (PathOutputs Both, PathOutputs[] Alone) AssertEachVenueIsItsRunAlone(string first, string second,
        Func<double, (string Btc, string Eth)>? participants = null)
    {
        participants ??= _ => ("", "");
        var (btc, eth) = participants(1);
        var both = Simulate(ScenarioLoader.LoadYaml(WithAssetMechanisms(
            TwoVenues("{sharedDepth: 0}", 3.0e6, scale: 0.8, second: second, share: 0.6, first: first), btc, eth)));
        double[] shares = [0.6, 0.4];
        string[] rules = [first, second];
        var alone = new PathOutputs[2];
        for (int v = 0; v < 2; v++)
        {
            string market = Market
                .Replace("depth1pct: 4.0e7", $"depth1pct: {R(4.0e7 * shares[v])}", StringComparison.Ordinal)
                .Replace("depth1pct: 1.5e7", $"depth1pct: {R(1.5e7 * shares[v])}", StringComparison.Ordinal);
            var (btcAlone, ethAlone) = participants(shares[v]);
            var one = alone[v] = Simulate(ScenarioLoader.LoadYaml(WithAssetMechanisms(
                $"{market}\nvenue: {{{rules[v]}, insuranceFund: {R(3.0e6)}}}\nbook:\n{Cohorts(0.8, "  ")}", btcAlone, ethAlone)));
            Assert.That(one.LiquidatedNotional.Take(one.Count).Sum(), Is.GreaterThan(0), $"venue {v} must liquidate");
            for (int p = 0; p < one.Count; p++)
            {
                Assert.That(both[$"venues.v{v}BadDebt"][p], Is.EqualTo(one.BadDebt[p]), $"venue {v}'s bad debt, path {p}");
                Assert.That(both[$"venues.v{v}FundEnd"][p], Is.EqualTo(one.FundEnd[p]), $"venue {v}'s fund, path {p}");
                Assert.That(both[$"venues.v{v}UncoveredLoss"][p], Is.EqualTo(one.UncoveredLoss[p]), $"venue {v}'s uncovered loss, path {p}");
                Assert.That(both[$"venues.v{v}LiquidatedNotional"][p], Is.EqualTo(one.LiquidatedNotional[p]), $"venue {v}'s notional, path {p}");
                Assert.That(both[$"venues.v{v}Cascade"][p], Is.EqualTo(one.Cascade[p]), $"venue {v}'s cascade, path {p}");
                Assert.That(both[$"venues.v{v}ImportedMove"][p], Is.Zero, "nothing is imported without coupling");
                for (int i = 0; i < 2; i++)
                    Assert.That(both.Span(OutputSchema.FinalPrice, 2 * v + i)[p], Is.EqualTo(one.Span(OutputSchema.FinalPrice, i)[p]),
                        $"venue {v}, asset {i}'s price, path {p}");
            }
        }
        return (both, alone);
    }

    /// <summary>Each output in <paramref name="keys"/> of the two-venue run is the sum of the two runs alone, path by path.</summary>
    private static void AssertSumsOfTheRunsAlone(PathOutputs both, PathOutputs[] alone, params string[] keys)
    {
        foreach (string key in keys)
            for (int p = 0; p < both.Count; p++)
                Close(alone[0][key][p] + alone[1][key][p], both[key][p], key, p);
    }

    [Test]
    public void UncoupledVenuesEachGiveTheirRunAloneBitForBit()
    {
        // The second venue with its own margins, penalty, delayed oracle, liquidation capacity and backstop vault.
        const string second = "maintenanceMargin: {BTC: 0.02, ETH: 0.02}, liquidationPenalty: 0.005, oracleDelaySteps: 2, liquidationCapacity: 2.0e9, "
            + "backstop: {slippage: 0.005, discount: 0.02, capital: 3.0e8, lossLimit: 2.0e6}";
        // The first venue with a front-runner on its own markets.
        var (both, _) = AssertEachVenueIsItsRunAlone(Rules + ", adversary: {budget: 4.0e7}", second);
        Assert.That(both.Cascade.Sum(), Is.GreaterThan(10));
        Assert.That(both["queue.steps"].Take(both.Count).Sum(), Is.GreaterThan(0), "the second venue's capacity must bind");
        Assert.That(both["backstop.taken"].Take(both.Count).Sum(), Is.GreaterThan(0), "and its backstop take flow");
        Assert.That(both["backstop.absorbed"].Take(both.Count).Sum(), Is.GreaterThan(0), "and absorb bad debt");
        Assert.That(both["adversary.attacked"].Take(both.Count).Sum(), Is.GreaterThan(0), "the first venue's front-runner must attack");
    }

    /// <summary>The asset mechanisms with several venues (docs/model.md section 9): each market's LPs and dealers are its
    /// venue's share of the asset's (here 60% and 40% of the capital and of the dealers' gamma). Uncoupled, each venue gives
    /// its run alone with those shares bit for bit, and the participants' outputs are the sums of the runs alone.</summary>
    [Test]
    public void EachVenueHasItsShareOfTheAssetsLiquidityProvidersAndDealers()
    {
        var (both, alone) = AssertEachVenueIsItsRunAlone(Rules, Rules, Participants);
        for (int v = 0; v < 2; v++)
        {
            Assert.That(alone[v]["returningLiquidity.capitalExhausted"].Take(alone[v].Count).Sum(), Is.GreaterThan(0), $"venue {v}'s LPs' capital must bind");
            Assert.That(alone[v]["dealerGamma.hedgeVolume"].Take(alone[v].Count).Sum(), Is.GreaterThan(0), $"venue {v}'s dealers must hedge");
        }
        AssertSumsOfTheRunsAlone(both, alone, "returningLiquidity.pnl", "returningLiquidity.inventory", "dealerGamma.hedgeVolume");
    }

    /// <summary>Each venue its own front-runner (docs/model.md section 10), with its own budget and fee, on its own markets
    /// and book. Uncoupled, each venue gives its run alone bit for bit, and the front-runners' outputs are the sums of their
    /// runs alone.</summary>
    [Test]
    public void EachVenueHasItsOwnFrontRunner()
    {
        var (both, alone) = AssertEachVenueIsItsRunAlone(Rules + ", adversary: {budget: 4.0e7}", Rules + ", adversary: {budget: 2.0e7, fee: 0.0004}");
        for (int v = 0; v < 2; v++)
            Assert.That(alone[v]["adversary.attacks"].Take(alone[v].Count).Sum(), Is.GreaterThan(0), $"venue {v}'s front-runner must attack");
        AssertSumsOfTheRunsAlone(both, alone, "adversary.pnl", "adversary.forecastPnl", "adversary.attacks");
    }

    /// <summary>Each venue its own vault, one of each kind (docs/model.md section 8.11): alpha's takes over accounts, beta's takes
    /// the flow its book cannot absorb. Uncoupled, each venue gives its run alone bit for bit, and the vaults' outputs are
    /// the sums of their runs alone.</summary>
    [Test]
    public void EachVenueHasItsOwnVault()
    {
        var (both, alone) = AssertEachVenueIsItsRunAlone(Rules + ", backstop: {takeover: 0.7, capital: 2.0e8, unwindRate: 0.5}",
            Rules + ", backstop: {slippage: 0.005, discount: 0.02, capital: 3.0e8, lossLimit: 2.0e6}");
        Assert.That(alone[0]["backstop.takeovers"].Take(alone[0].Count).Sum(), Is.GreaterThan(0), "alpha's vault must take accounts over");
        Assert.That(alone[1]["backstop.taken"].Take(alone[1].Count).Sum(), Is.GreaterThan(0), "beta's vault must take flow");
        Assert.That(alone[1]["backstop.absorbed"].Take(alone[1].Count).Sum(), Is.GreaterThan(0), "and absorb bad debt");
        AssertSumsOfTheRunsAlone(both, alone, "backstop.taken", "backstop.takeovers", "backstop.absorbed", "backstop.pnl", "backstop.inventory");
    }

    /// <summary>Each venue its own circuit breaker (docs/model.md section 8.8), watching and halting its own markets: alpha's
    /// halts liquidations for a 5% move in 15 minutes, beta's everything for a 3% move in 10 minutes. Uncoupled, each venue
    /// gives its run alone bit for bit, and the halts are the sums of the runs alone.</summary>
    [Test]
    public void EachVenueHasItsOwnCircuitBreaker()
    {
        var (both, alone) = AssertEachVenueIsItsRunAlone(Rules + ", circuitBreaker: {move: 0.05, window: 15m, halt: 10m}",
            Rules + ", circuitBreaker: {move: 0.03, window: 10m, halt: 20m, scope: all}, backstop: {slippage: 0.005, discount: 0.02, capital: 3.0e8, unwindRate: 1}");
        for (int v = 0; v < 2; v++)
            Assert.That(alone[v]["circuitBreaker.halts"].Take(alone[v].Count).Sum(), Is.GreaterThan(0), $"venue {v}'s breaker must trip");
        foreach (string key in new[] { "circuitBreaker.halts", "circuitBreaker.haltedSteps" })
            for (int p = 0; p < both.Count; p++)
                Assert.That(both[key][p], Is.EqualTo(alone[0][key][p] + alone[1][key][p]), $"{key}, path {p}");
    }

    /// <summary>Each venue its own oracle (docs/model.md section 8.10): alpha a pipeline of three feeds (one noisy, one late,
    /// one biased 3% low on BTC for steps 4 to 8) with a 15-minute TWAP and a mark; beta a pipeline with a longer TWAP than
    /// alpha's, or a delayed oracle, or the live mid. Uncoupled, each venue gives its run alone bit for bit.</summary>
    [TestCase("oracle: {feeds: [{source: traded}, {source: index, latency: 5m}, {source: index}], twap: 30m}")]
    [TestCase("oracleDelaySteps: 2")]
    [TestCase("oracleDelaySteps: 0")]
    public void EachVenueHasItsOwnOracle(string betaOracle)
    {
        const string first = Rules + ", oracle: {feeds: [{source: index, noise: 0.002}, {source: traded, latency: 10m}, "
            + "{source: index, manipulation: {from: 4, to: 8, bias: -0.03, asset: BTC}}], twap: 15m, mark: {basisHalfLife: 30m}}";
        var (both, _) = AssertEachVenueIsItsRunAlone(first, Rules + ", " + betaOracle);
        Assert.That(both["oracle.manipulatedLiquidations"].Take(both.Count).Sum(), Is.GreaterThan(0), "alpha's biased feed must matter");
    }

    /// <summary>A halted venue's arbitrage waits: with beta halted for everything from the crash on, the arbitrageurs do not
    /// trade its markets, so its gap to alpha stays open while the halt lasts.</summary>
    [Test]
    public void AHaltWithScopeAllStopsTheArbitrageOnThatVenue()
    {
        string Two(string breaker) => TwoVenues("{sharedDepth: 0, arbitrage: {speed: 0.5, capital: 1.0e9}}", 3.0e6, scale: 0.8,
            second: Rules + breaker, share: 0.6);
        var open = Simulate(ScenarioLoader.LoadYaml(Two("")));
        var halted = Simulate(ScenarioLoader.LoadYaml(Two(", circuitBreaker: {move: 0.01, window: 5m, halt: 6h, scope: all}")));
        Assert.That(halted["circuitBreaker.halts"].Take(halted.Count).Min(), Is.EqualTo(1), "the crash trips it on every path, once");
        Assert.That(open["venues.arbitrageTradeSteps"].Take(open.Count).Sum(), Is.GreaterThan(0));
        // Only alpha's markets trade (their flows still move alpha toward the mean); beta's price is its own.
        Assert.That(halted["venues.v1ImportedMove"].Take(halted.Count).Max(), Is.Zero, "nothing reaches the halted venue");
        Assert.That(open["venues.v1ImportedMove"].Take(open.Count).Max(), Is.GreaterThan(0), "without the halt the arbitrage reaches it");
    }

    /// <summary>Two venues (or, with <paramref name="alone"/> = v, venue v alone, on its share of the depth) under historical
    /// shocks: the hourly closes of scenarios/data from 2025-10-10 12:00 UTC, replayed or bootstrapped.</summary>
    internal static string Historical(string method, string coupling, int? alone = null)
    {
        string data = Path.Combine(Docs.DocsCodeTests.RepositoryRoot(), "scenarios", "data");
        string history = method == "replay"
            ? $"{{method: replay, prices: {{BTC: {Path.Combine(data, "BTC_USDT_1h.csv")}, ETH: {Path.Combine(data, "ETH_USDT_1h.csv")}}}, from: 2025-10-10T12:00:00Z}}"
            : $"{{method: bootstrap, prices: {{BTC: {Path.Combine(data, "BTC_USDT_1h.csv")}, ETH: {Path.Combine(data, "ETH_USDT_1h.csv")}}}, block: 6h}}";
        double[] shares = [0.6, 0.4];
        string Assets(double share) => $"  - {{symbol: BTC, price: 121000, volatility: 0.45, depth1pct: {R(1.5e8 * share)}}}\n"
            + $"  - {{symbol: ETH, price: 4350, volatility: 0.65, depth1pct: {R(6.0e7 * share)}}}\n";
        string[] rules = [Rules + ", insuranceFund: 1.0e6", "maintenanceMargin: {BTC: 0.0125, ETH: 0.0125}, liquidationPenalty: 0, insuranceFund: 2.0e5"];
        string head = $"horizon: 1d\nsteps: 24\npaths: 200\nseed: 11\nhistory: {history}\n";
        if (alone is int v)
            return head + "assets:\n" + Assets(shares[v]) + $"venue: {{{rules[v]}}}\nbook:\n{Cohorts(0.8, "  ")}";
        return head + "assets:\n" + Assets(1) + "venues:\n"
            + string.Concat(Enumerable.Range(0, 2).Select(k =>
                $"  - name: v{k}\n    depthShare: {R(shares[k])}\n    venue: {{{rules[k]}}}\n    book:\n{Cohorts(0.8, "      ")}"))
            + $"coupling: {coupling}\n";
    }

    /// <summary>Historical shocks (docs/model.md section 2) drive every market of an asset alike: uncoupled, each venue under
    /// the replay of 2025-10-10 gives its run alone bit for bit; under the bootstrap every path's markets of an asset
    /// share one exogenous path.</summary>
    [Test]
    public void HistoricalShocksDriveEveryVenuesMarketsOfAnAssetAlike()
    {
        var both = Simulate(ScenarioLoader.LoadYaml(Historical("replay", "{sharedDepth: 0}")));
        Assert.That(both.LiquidatedNotional.Take(both.Count).Sum(), Is.GreaterThan(0), "the replay must liquidate");
        for (int v = 0; v < 2; v++)
        {
            var alone = Simulate(ScenarioLoader.LoadYaml(Historical("replay", "", alone: v)));
            for (int p = 0; p < alone.Count; p++)
            {
                Assert.That(both[$"venues.v{v}BadDebt"][p], Is.EqualTo(alone.BadDebt[p]), $"venue {v}'s bad debt, path {p}");
                Assert.That(both[$"venues.v{v}LiquidatedNotional"][p], Is.EqualTo(alone.LiquidatedNotional[p]), $"venue {v}'s notional, path {p}");
                for (int i = 0; i < 2; i++)
                    Assert.That(both.Span(OutputSchema.FinalPrice, 2 * v + i)[p], Is.EqualTo(alone.Span(OutputSchema.FinalPrice, i)[p]),
                        $"venue {v}, asset {i}'s price, path {p}");
            }
        }
        var boot = Simulate(ScenarioLoader.LoadYaml(Historical("bootstrap", "{sharedDepth: 0.4, arbitrage: {speed: 0.5, capital: 5.0e7}}")));
        for (int p = 0; p < boot.Count; p++)
            for (int i = 0; i < 2; i++)
                Assert.That(boot.Span(OutputSchema.ExogenousMaxDrawdown, 2 + i)[p], Is.EqualTo(boot.Span(OutputSchema.ExogenousMaxDrawdown, i)[p]),
                    $"asset {i}'s exogenous path on both venues, path {p}");
    }

    /// <summary>No volatility; a long book on alpha, liquidated by a 6% fall at step 0; beta has one small long far from
    /// liquidation.</summary>
    private static Scenario Gap(string arbitrage, int steps = 6) => ScenarioLoader.LoadYaml($$"""
        horizon: 1h
        steps: {{steps}}
        paths: 1
        seed: 1
        assets: [{symbol: BTC, price: 100, volatility: 0, depth1pct: 1.0e6}]
        stress: [{step: 0, asset: BTC, logReturn: -0.06}]
        venues:
          - name: alpha
            venue: {maintenanceMargin: 0.05}
            book: {cohorts: [{asset: BTC, side: long, notional: 2.0e6, leverage: 10}]}
          - name: beta
            venue: {maintenanceMargin: 0.05}
            book: {cohorts: [{asset: BTC, side: long, notional: 1.0e3, leverage: 1.5}]}
        coupling: {sharedDepth: 0{{arbitrage}}}
        """);

    [Test]
    public void ArbitrageClosesTheGapBetweenVenuesWithinItsCapital()
    {
        double Gap(PathOutputs o) => Math.Log(o.Span(OutputSchema.FinalPrice, 0)[0] / o.Span(OutputSchema.FinalPrice, 1)[0]);
        var none = Simulate(VenuesTests.Gap(""));
        Assert.That(Gap(none), Is.LessThan(-0.01), "alpha's forced sales leave it below beta without arbitrage");
        Assert.That(none["venues.v1ImportedMove"][0], Is.Zero);

        var full = Simulate(VenuesTests.Gap(", arbitrage: {speed: 1}"));
        Assert.That(Math.Abs(Gap(full)), Is.LessThan(1e-12), "speed 1 with no capital bound closes the gap in one step");
        Assert.That(full["venues.arbitragePnl"][0], Is.GreaterThan(0), "buying the cheap venue and selling the dear one pays");
        Assert.That(full["venues.arbitrageCapitalExhausted"][0], Is.Zero);
        Assert.That(full["venues.v1ImportedMove"][0], Is.GreaterThan(0.005), "beta imports alpha's fall");

        var bound = Simulate(VenuesTests.Gap(", arbitrage: {speed: 1, capital: 2.0e5}"));
        Assert.That(bound["venues.arbitrageCapitalExhausted"][0], Is.EqualTo(1));
        Assert.That(Math.Abs(Gap(bound)), Is.InRange(1e-6, Math.Abs(Gap(none))), "a capital bound leaves part of the gap");
        Assert.That(bound["venues.arbitrageTradeSteps"][0], Is.EqualTo(1), "at the bound it cannot add to its inventory, so no more trades");
    }

    [Test]
    public void CompareHoldsEachVenuesGeneratedBookFixedWithoutAddingIt()
    {
        string file = Path.Combine(Docs.DocsCodeTests.RepositoryRoot(), "scenarios", "two-venues.yaml");
        var factory = new GpuCascade.Calibration.VariantFactory(ScenarioDocument.Load(file));
        var variant = factory.Prepare([new("coupling.sharedDepth", 0.4)]);
        var run = ScenarioLoader.LoadFile(file) with { Paths = 200 };
        Assert.That(variant.DeleveragedNotional, Is.Zero, "the base's own values deleverage nothing");
        var held = Simulate(variant.Scenario with { Paths = 200 });
        var plain = Simulate(run);
        Assert.That(held.AssetCount, Is.EqualTo(4));
        Assert.That(held.BadDebt.Take(200).ToArray(), Is.EqualTo(plain.BadDebt.Take(200).ToArray()), "the held book is the run's: no cohort twice");
        Assert.That(held["venues.v1FundEnd"].Take(200).ToArray(), Is.EqualTo(plain["venues.v1FundEnd"].Take(200).ToArray()));
        Assert.That(ScenarioJson.Canonical(variant.Scenario), Does.Not.Contain("generator"), "each venue's book is now listed");
    }

    [Test]
    public void TheCommonPoolCarriesABackstopsUnwindingToTheOtherVenues()
    {
        // Alpha's vault takes the cascade's overflow and sells it back each step; half the depth is pooled, so its sales
        // move beta's price too (beta's own book is far from liquidation).
        Scenario With(string unwind) => ScenarioLoader.LoadYaml($$$"""
            horizon: 1h
            steps: 6
            paths: 1
            seed: 1
            assets: [{symbol: BTC, price: 100, volatility: 0, depth1pct: 1.0e6}]
            stress: [{step: 0, asset: BTC, logReturn: -0.06}]
            venues:
              - name: alpha
                venue: {maintenanceMargin: 0.05, backstop: {slippage: 0.005, discount: 0.02, capital: 1.0e8{{{unwind}}}}}
                book: {cohorts: [{asset: BTC, side: long, notional: 2.0e6, leverage: 10}]}
              - name: beta
                venue: {maintenanceMargin: 0.05}
                book: {cohorts: [{asset: BTC, side: long, notional: 1.0e3, leverage: 1.5}]}
            coupling: {sharedDepth: 0.5}
            """);
        var held = Simulate(With(""));
        var sold = Simulate(With(", unwindRate: 2"));
        Assert.That(held["backstop.taken"][0], Is.GreaterThan(0), "the vault must take flow");
        double Beta(PathOutputs o) => o.Span(OutputSchema.FinalPrice, 1)[0];
        Assert.That(Beta(sold), Is.LessThan(Beta(held) * (1 - 1e-6)), "the vault's sales on alpha reach beta through the pool");
    }

    [Test]
    public void DelayedArbitrageursActOnTheGapTheySawLSteps()
    {
        // The gap opens in step 0's rounds (after the arbitrageurs' turn of step 0): seen at step 1, acted on L = 2 steps later.
        double Gap(PathOutputs o) => Math.Log(o.Span(OutputSchema.FinalPrice, 0)[0] / o.Span(OutputSchema.FinalPrice, 1)[0]);
        var none = Simulate(VenuesTests.Gap("", steps: 3));
        var late = Simulate(VenuesTests.Gap(", arbitrage: {speed: 0.6, delay: 2}", steps: 3));
        Assert.That(late["venues.arbitrageTradeSteps"][0], Is.Zero, "steps 1 and 2 see the gaps of steps -1 and 0: none");
        Assert.That(Gap(late), Is.EqualTo(Gap(none)));
        var longer = Simulate(VenuesTests.Gap(", arbitrage: {speed: 0.6, delay: 2}", steps: 6));
        Assert.That(longer["venues.arbitrageTradeSteps"][0], Is.EqualTo(3), "steps 3, 4 and 5 act on the gaps of steps 1, 2 and 3");
        var prompt = Simulate(VenuesTests.Gap(", arbitrage: {speed: 0.6}", steps: 3));
        Assert.That(prompt["venues.arbitrageTradeSteps"][0], Is.EqualTo(2));
        MechanismChecks.AssertRefused(ScenarioJson.Canonical(VenuesTests.Gap("")).Replace("\"sharedDepth\":0", "\"sharedDepth\":0,\"arbitrage\":{\"speed\":0.7,\"delay\":2}",
            StringComparison.Ordinal), "coupling.arbitrage.speed", "with delay 2");
    }

    [Test]
    public void EachVenueSaysWhichVenueMovedIt()
    {
        // Three venues sharing half the depth: only alpha's book is liquidated by the fall; beta and gamma import its moves
        // through the pool and the arbitrageurs, and nothing of each other's.
        var s = ScenarioLoader.LoadYaml("""
            horizon: 1h
            steps: 6
            paths: 1
            seed: 1
            cascadeThreshold: 0.01
            assets: [{symbol: BTC, price: 100, volatility: 0, depth1pct: 1.0e6}]
            stress: [{step: 0, asset: BTC, logReturn: -0.06}]
            venues:
              - name: alpha
                venue: {maintenanceMargin: 0.05}
                book: {cohorts: [{asset: BTC, side: long, notional: 2.0e6, leverage: 10}]}
              - name: beta
                venue: {maintenanceMargin: 0.05}
                book: {cohorts: [{asset: BTC, side: long, notional: 1.0e3, leverage: 1.5}]}
              - name: gamma
                venue: {maintenanceMargin: 0.05}
                book: {cohorts: [{asset: BTC, side: long, notional: 1.0e3, leverage: 1.5}]}
            coupling: {sharedDepth: 0.5, arbitrage: {speed: 0.5}}
            """);
        var o = Simulate(s);
        Assert.That(o["venues.v0Cascade"][0], Is.EqualTo(1));
        Assert.That(o["venues.v1MovedBy0"][0], Is.EqualTo(1), "beta moved by alpha");
        Assert.That(o["venues.v2MovedBy0"][0], Is.EqualTo(1), "gamma moved by alpha");
        Assert.That(o["venues.v1MovedBy2"][0], Is.Zero, "not by gamma");
        Assert.That(o["venues.v2MovedBy1"][0], Is.Zero, "nor gamma by beta");
        Assert.That(o["venues.v0MovedBy1"][0] + o["venues.v0MovedBy2"][0], Is.Zero, "alpha fell by its own liquidations");
        Assert.That(o["venues.v1MovedByOthers"][0], Is.EqualTo(1));
    }

    [Test]
    public void TheCanonicalJsonLoadsBackToTheSameScenario()
    {
        var s = ScenarioLoader.LoadYaml(TwoVenues("{sharedDepth: 0.3, arbitrage: {speed: 0.5, capital: 1.0e7, delay: 1}}", 1.0e6));
        var again = ScenarioLoader.LoadJson(ScenarioJson.Canonical(s));
        Assert.That(again, Is.EqualTo(s));
        Assert.That(s.Assets.Select(a => a.Symbol), Is.EqualTo(new[] { "BTC@alpha", "ETH@alpha", "BTC@beta", "ETH@beta" }));
        Assert.That(s.Book.Cohorts[0].Name, Is.EqualTo("alpha:BTC4long"));
    }

    private static void Refused(string yaml, string path, string message) => MechanismChecks.AssertRefused(yaml, path, message);

    [Test]
    public void BadVenuesAreRefusedAtTheirFields()
    {
        string good = TwoVenues("{sharedDepth: 0.5}", 1.0e6);
        Refused(good.Replace("depthShare: 0.5", "depthShare: 0.7", StringComparison.Ordinal), "venues", "add up to 1");
        Refused(good.Replace("name: beta", "name: alpha", StringComparison.Ordinal), "venues[1].name", "unique");
        Refused(good.Replace("sharedDepth: 0.5", "sharedDepth: 1.5", StringComparison.Ordinal), "coupling.sharedDepth", "[0, 1]");
        Refused(good.Replace("sharedDepth: 0.5", "sharedDepth: 0.5, arbitrage: {speed: 2}", StringComparison.Ordinal), "coupling.arbitrage.speed", "(0, 1]");
        Refused(good.Replace("leverage: 40", "leverage: 400", StringComparison.Ordinal), "venues[0].book.cohorts[12]", "leverage");
        Refused(good + "\nvenue: {maintenanceMargin: 0.01}\n", "venue", "venues[i].venue");
        Refused(OneVenue(1) + "coupling: {sharedDepth: 0}\n", "coupling", "several venues");
        Refused(TwoVenues("{sharedDepth: 0.5}", 1.0e6, second: Rules + ", roundCap: 8"), "venues[1].venue.roundCap", "first venue");
        Refused(TwoVenues("{sharedDepth: 0.5}", 1.0e6, second: Rules + ", oracle: {feeds: [{source: index}, {source: traded}]}, oracleDelaySteps: 2"),
            "venues[1].venue.oracleDelaySteps", "must be 0 with venue.oracle");
        Refused(TwoVenues("{sharedDepth: 0.5}", 1.0e6, second: Rules + ", adversary: {budget: 1e6}, oracleDelaySteps: 2"),
            "venues[1].venue.adversary", "live oracle");
        Refused(WithAssetMechanisms(good, "returningLiquidity: {kappa: 1.5}", ""), "assets[0].returningLiquidity.kappa", "[0, 1]");
        Refused(WithAssetMechanisms(good, "", "dealerGamma: {gamma: 1e6, putStrike: 2}"), "assets[1].dealerGamma.putStrike", "(0, 1]");
        Refused(Market + "\nvenues:\n  - name: solo\n    venue: {maintenanceMargin: 0.01}\n    book: {cohorts: []}\n", "venues", "2 to 4");
    }
}

/// <summary>Two venues with a common pool, arbitrage, partial liquidation and ADL, on every ILGPU device against the managed
/// reference.</summary>
[TestFixtureSource(typeof(Devices), nameof(Devices.Cases))]
public class VenuesParityTests(string deviceName, string reason) : DeviceFixture(deviceName, reason)
{
    [Test]
    public void PerPathOutputsMatchTheManagedReference()
    {
        var s = ScenarioLoader.LoadFile(Path.Combine(Docs.DocsCodeTests.RepositoryRoot(), "scenarios", "two-venues.yaml"));
        MechanismChecks.AssertParity(Device, s with { Paths = 1024 });
    }

    [Test]
    public void EachVenuesOwnOracleDelayAndCapacityAndDelayedArbitrageMatchTheManagedReference()
    {
        string text = File.ReadAllText(Path.Combine(Docs.DocsCodeTests.RepositoryRoot(), "scenarios", "two-venues.yaml"))
            .Replace("insuranceFund: 1.0e6", "insuranceFund: 1.0e6\n      oracleDelaySteps: 2\n      liquidationCapacity: 2.0e8", StringComparison.Ordinal)
            .Replace("arbitrage: {speed: 0.5, capital: 5.0e7}", "arbitrage: {speed: 0.5, capital: 5.0e7, delay: 1}", StringComparison.Ordinal);
        var s = ScenarioLoader.LoadYaml(text);
        Assert.That(s.Venues!.Venues[1].Venue.OracleDelaySteps, Is.EqualTo(2));
        Assert.That(s.Venues.Arbitrage!.Delay, Is.EqualTo(1));
        var reference = MechanismChecks.AssertParity(Device, s with { Paths = 1024 });
        Assert.That(reference["queue.steps"].Take(1024).Sum(), Is.GreaterThan(0), "the on-chain venue's capacity must bind");
    }

    /// <summary>A breaker on each venue (one with scope all) through the common pool and the arbitrage.</summary>
    [Test]
    public void EachVenuesOwnCircuitBreakerMatchesTheManagedReference()
    {
        string text = File.ReadAllText(Path.Combine(Docs.DocsCodeTests.RepositoryRoot(), "scenarios", "two-venues.yaml"))
            .Replace("insuranceFund: 5.0e7", "insuranceFund: 5.0e7\n      circuitBreaker: {move: 0.04, window: 30m, halt: 15m}", StringComparison.Ordinal)
            .Replace("insuranceFund: 1.0e6", "insuranceFund: 1.0e6\n      circuitBreaker: {move: 0.02, window: 10m, halt: 30m, scope: all}", StringComparison.Ordinal);
        var s = ScenarioLoader.LoadYaml(text) with { Paths = 1024 };
        var reference = MechanismChecks.AssertParity(Device, s);
        Assert.That(reference["circuitBreaker.halts"].Take(1024).Sum(), Is.GreaterThan(0));
    }

    /// <summary>A pipeline on each venue (noisy, late and biased feeds, TWAPs of different lengths, a mark), and a pipeline
    /// beside a delayed oracle, through the common pool and the arbitrage.</summary>
    [TestCase("oracle: {feeds: [{source: traded, noise: 0.001}, {source: index, latency: 10m}, {source: index, noise: 0.002}], twap: 30m}")]
    [TestCase("oracleDelaySteps: 3")]
    public void EachVenuesOwnOracleMatchesTheManagedReference(string dexOracle)
    {
        string text = File.ReadAllText(Path.Combine(Docs.DocsCodeTests.RepositoryRoot(), "scenarios", "two-venues.yaml"))
            .Replace("insuranceFund: 5.0e7", "insuranceFund: 5.0e7\n      oracle: {feeds: [{source: index, noise: 0.002}, {source: traded, latency: 15m}, "
                + "{source: index, manipulation: {from: 10, to: 40, bias: -0.02, asset: ETH}}], twap: 10m, mark: {basisHalfLife: 1h}}", StringComparison.Ordinal)
            .Replace("insuranceFund: 1.0e6", "insuranceFund: 1.0e6\n      " + dexOracle, StringComparison.Ordinal);
        var s = ScenarioLoader.LoadYaml(text) with { Paths = 512 };
        var reference = MechanismChecks.AssertParity(Device, s);
        Assert.That(reference["oracle.maxGap"].Take(512).Max(), Is.GreaterThan(0));
    }

    /// <summary>The bootstrap of historical returns through the common pool and the arbitrage.</summary>
    [Test]
    public void HistoricalShocksMatchTheManagedReference()
    {
        var s = ScenarioLoader.LoadYaml(VenuesTests.Historical("bootstrap", "{sharedDepth: 0.4, arbitrage: {speed: 0.5, capital: 5.0e7}}"));
        MechanismChecks.AssertParity(Device, s);
    }

    /// <summary>Returning liquidity (a delay, a willingness, a binding capital) and short-gamma dealers with puts on every
    /// venue's markets, trading together through the common pool, beside the arbitrage.</summary>
    [Test]
    public void TheAssetsLiquidityProvidersAndDealersMatchTheManagedReference()
    {
        string text = File.ReadAllText(Path.Combine(Docs.DocsCodeTests.RepositoryRoot(), "scenarios", "two-venues.yaml"))
            .Replace("collateralWeight: 0.95}", "collateralWeight: 0.95, returningLiquidity: {kappa: 0.3, delay: 1, capital: 5.0e7, volatilityExponent: 1}}",
                StringComparison.Ordinal)
            .Replace("collateralWeight: 0.90}", "collateralWeight: 0.90, dealerGamma: {gamma: 5.0e6, putStrike: 0.95}, returningLiquidity: {kappa: 0.2}}",
                StringComparison.Ordinal);
        var s = ScenarioLoader.LoadYaml(text) with { Paths = 1024 };
        Assert.That(s.Assets.Count(a => a.Mechanisms.Get<ReturningLiquiditySpec>() is not null), Is.EqualTo(4), "every market has LPs");
        var reference = MechanismChecks.AssertParity(Device, s);
        Assert.That(reference["returningLiquidity.capitalExhausted"].Take(1024).Sum(), Is.GreaterThan(0), "the LPs' capital must bind");
        Assert.That(reference["dealerGamma.hedgeVolume"].Take(1024).Sum(), Is.GreaterThan(0), "and the dealers hedge");
    }

    /// <summary>A front-runner on each venue, one seeing and one blind, through the common pool and the arbitrage.</summary>
    [TestCase("book")]
    [TestCase("blind")]
    public void EachVenuesOwnFrontRunnerMatchesTheManagedReference(string dexSees)
    {
        string text = File.ReadAllText(Path.Combine(Docs.DocsCodeTests.RepositoryRoot(), "scenarios", "two-venues.yaml"))
            .Replace("insuranceFund: 5.0e7", "insuranceFund: 5.0e7\n      adversary: {budget: 2.0e8}", StringComparison.Ordinal)
            .Replace("insuranceFund: 1.0e6", $"insuranceFund: 1.0e6\n      adversary: {{budget: 5.0e7, sees: {dexSees}}}", StringComparison.Ordinal);
        var s = ScenarioLoader.LoadYaml(text) with { Paths = 256, Steps = 96 };
        Assert.That(s.Venues!.Venues.Select(v => v.Venue.Mechanisms.Get<AdversarySpec>()), Is.All.Not.Null);
        var reference = MechanismChecks.AssertParity(Device, s);
        Assert.That(reference["adversary.attacks"].Take(256).Sum(), Is.GreaterThan(0), "the front-runners must attack");
    }

    /// <summary>A vault on each venue, one of each kind, through the common pool and the arbitrage.</summary>
    [Test]
    public void EachVenuesOwnVaultMatchesTheManagedReference()
    {
        string text = File.ReadAllText(Path.Combine(Docs.DocsCodeTests.RepositoryRoot(), "scenarios", "two-venues.yaml"))
            .Replace("insuranceFund: 5.0e7", "insuranceFund: 5.0e7\n      backstop: {slippage: 0.005, discount: 0.02, capital: 3.0e8, lossLimit: 2.0e7, unwindRate: 0.5}",
                StringComparison.Ordinal)
            .Replace("insuranceFund: 1.0e6", "insuranceFund: 1.0e6\n      backstop: {takeover: 0.6666666666666666, capital: 1.0e8, unwindRate: 0.5}", StringComparison.Ordinal);
        var s = ScenarioLoader.LoadYaml(text);
        Assert.That(s.Venues!.Venues.Select(v => v.Venue.Mechanisms.Get<BackstopSpec>()), Is.All.Not.Null);
        var reference = MechanismChecks.AssertParity(Device, s with { Paths = 1024 });
        Assert.That(reference["backstop.takeovers"].Take(1024).Sum(), Is.GreaterThan(0), "the dex's vault must take accounts over");
        Assert.That(reference["backstop.taken"].Take(1024).Sum(), Is.GreaterThan(0));
    }
}

/// <summary>The host around several venues: shards merge, a venue's generator is regenerated when varied, the capital bound
/// lets the arbitrageurs unwind, and a scenario changed in code past its venues is refused.</summary>
public class VenuesHostTests
{
    private static string File2 => Path.Combine(Docs.DocsCodeTests.RepositoryRoot(), "scenarios", "two-venues.yaml");

    [Test]
    public void ShardsOfAScenarioWithSeveralVenuesMergeToTheWholeRun()
    {
        var s = ScenarioLoader.LoadFile(File2) with { Paths = 32768, Steps = 12 };
        string dir = Directory.CreateTempSubdirectory("gpucascade-venues-").FullName;
        try
        {
            var files = new List<string>();
            for (int i = 0; i < 2; i++)
            {
                string file = Path.Combine(dir, $"p{i}.part");
                Assert.That(Shards.RunShard(s, i, 2, file, new RunOptions { Backend = new ManagedBackend(2) }), Is.Not.Null);
                files.Add(file);
            }
            var merged = Shards.Merge(files);
            var whole = SimulationEngine.Run(s, new RunOptions { Backend = new ManagedBackend(2) });
            Assert.That(merged.BadDebt.Mean, Is.EqualTo(whole.BadDebt.Mean));
            Assert.That(merged.Mechanisms.Mean("venues.v1FundEnd").Mean, Is.EqualTo(whole.Mechanisms.Mean("venues.v1FundEnd").Mean));
            Assert.That(merged.VenueNames, Is.EqualTo(new[] { "cex", "dex" }));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void VaryingAVenuesGeneratorRegeneratesItsBook()
    {
        Assert.That(GpuCascade.Calibration.VariantFactory.RegeneratesBook("venues[1].book.generator.assets.BTC.openInterest"), Is.True);
        Assert.That(GpuCascade.Calibration.VariantFactory.RegeneratesBook("venues[1].venue.insuranceFund"), Is.False);
        var factory = new GpuCascade.Calibration.VariantFactory(ScenarioDocument.Load(File2));
        var small = factory.Prepare([new("venues[1].book.generator.assets.BTC.openInterest", 1.0e6)]);
        var large = factory.Prepare([new("venues[1].book.generator.assets.BTC.openInterest", 3.0e9)]);
        Assert.That(small.BookRegenerated, Is.True);
        double Notional(Scenario x) => GpuCascade.Book.BookGenerator.Generate(x).Where(c => c.Name!.StartsWith("dex:gen:BTC", StringComparison.Ordinal))
            .Sum(c => c.Positions.Sum(p => Math.Abs(p.Units) * p.EntryPrice));
        Assert.That(Notional(large.Scenario), Is.GreaterThan(100 * Notional(small.Scenario)));
    }

    [Test]
    public void AScenarioChangedPastItsVenuesIsRefused()
    {
        var s = ScenarioLoader.LoadFile(File2);
        var moved = s with { Assets = s.Assets.SetItem(0, s.Assets[0] with { Volatility = 2 }) };
        var e = Assert.Throws<ScenarioException>(() => ScenarioValidator.EnsureValid(moved))!;
        Assert.That(e.Errors.Select(x => x.Path), Has.Member("assets"));
        Assert.That(ScenarioValidator.Validate(s.With("venues[1].venue.insuranceFund", 2.0e6)), Is.Empty, "the way to change it");
    }
}

/// <summary>What takes one venue refuses several, naming the key.</summary>
public class OneVenueOnlyTests
{
    [Test]
    public void ABookFromDataRefusesSeveralVenues()
    {
        var s = ScenarioLoader.LoadFile(Path.Combine(Docs.DocsCodeTests.RepositoryRoot(), "scenarios", "two-venues.yaml"));
        var e = Assert.Throws<ScenarioException>(() => GpuCascade.MarketData.BookFromData.Apply(s, []))!;
        Assert.That(e.Errors.Single().Path, Is.EqualTo("venues"));
        Assert.That(e.Errors.Single().Message, Does.Contain("one venue"));
    }
}
