namespace GpuCascade.Kernels;

/// <summary>
/// A front-runner (docs/model.md section 10): an agent with a budget and a cost of capital who, each step after the market
/// move, forecasts from the book what pushing one asset's price down (or up) into its liquidation levels would pay, and
/// when the best forecast is positive sells (buys) to push it there and buys (sells) back right after the forced sales of
/// the step's first liquidation round. Blind to the book (private margins) it forecasts no forced sales, so the round trip
/// costs it only: it never attacks.
/// </summary>
public partial struct CascadePath<TD, TI, TSD, TSI, TP>
{
    // docs/model.md section 10: the path's totals over the venues' front-runners (each one's open attack: AdversaryState).
    private double _advPnl, _advForecast, _advAttacks;

    /// <summary>Start of path: no attack open, nothing earned.</summary>
    [PhaseHook(nameof(OnStartOfPath), Order = 90)]
    private void StartAdversary()
    {
        _advPnl = 0;
        _advForecast = 0;
        _advAttacks = 0;
        if (_l.Adversary.On == 0) return;
        for (int v = 0; v < VenueCount; v++)
        {
            OpenAttack(v, AdversaryState.Units) = 0;
            OpenAttack(v, AdversaryState.Cash) = 0;
            OpenAttack(v, AdversaryState.Asset) = -1;
        }
    }

    /// <summary>Field <paramref name="field"/> (<see cref="AdversaryState"/>) of venue <paramref name="v"/>'s open attack, in the
    /// mechanism region after the forced units by push (so a run without a front-runner keeps no such state).</summary>
    private readonly ref double OpenAttack(int v, int field) =>
        ref _m.R(_l.MechanismSlot + _l.Adversary.Region + _l.Adversary.OpenAttacks + v * AdversaryState.Fields + field);

    /// <summary>Whether venue <paramref name="v"/> (0 with one venue) has a front-runner who sees its book.</summary>
    private readonly bool SeeingAdversary(int v) => Pi(_l.Adversary.VenueOn, v) != 0 && Pi(_l.Adversary.Sees, v) != 0;

    /// <summary>
    /// After every other participant's trade of the step: with the live oracle at the mids, for each asset and direction
    /// d (-1: down into the longs' levels, +1: up into the shorts'), the pushes Delta_j = j / J of its reach (what the budget
    /// moves, at most sqrt(f): beyond it the impact law's own round trip would pay without any forced sale) (j = 1..J), the forced flow F_j of the cohorts the first round would liquidate at the pushed price (each cohort's
    /// fraction, its positions and collateral in that asset; the oracle moved on that asset alone) within the venue's
    /// capacity per step, and the closed-form profit P_j of <see cref="AttackProfit"/>. The best P_j over assets, directions and pushes, when positive, is
    /// executed: the push as no liquidation.
    /// </summary>
    [PhaseHook(nameof(OnMarketMoved), Order = 35, Switch = "Adversary")]
    private void ConsiderAttacks(int step)
    {
        if (_l.Adversary.On == 0) return;
        // Several venues (docs/model.md section 9): each venue's front-runner on its own markets, in venue order.
        for (int v = 0; v < VenueCount && _failFlag == 0; v++)
            if (SeeingAdversary(v)) ConsiderAttack(step, v);
    }

    /// <summary>Venue <paramref name="v"/>'s front-runner (its markets, its terms) weighs its pushes and makes the best one
    /// when it pays.</summary>
    private void ConsiderAttack(int step, int v)
    {
        VenueMarkets(v, out int from, out int to);
        if (TradingHalted(step, from)) return;
        // Its venue's oracle is live (validated): the mids, on its own markets only (another venue may read a delayed one).
        for (int i = from; i < to; i++) A(OracleState.Price, i) = A(MarketState.Mid, i);
        int levels = Pi(_l.Adversary.Levels, v), bestAsset = -1;
        double bestProfit = 0, bestPush = 0;
        for (int i = from; i < to; i++)
        {
            double scale = ImpactScale(i, EffectiveDepth(i));
            if (!(scale > 0)) continue;
            double reach = Math.Min(scale * Pd(_l.Adversary.Budget, v), Pd(_l.Adversary.MaxPush, v)), mid = A(MarketState.Mid, i);
            double capacity = ForecastCapacity(i);
            for (int d = -1; d <= 1; d += 2)
            {
                ForcedUnitsByLevel(i, mid, d * reach, step, levels);
                double forcedUnits = 0;
                for (int j = 1; j <= levels; j++)
                {
                    double push = d * reach * j / levels, price = mid * Math.Exp(push);
                    forcedUnits += _m.R(_l.MechanismSlot + _l.Adversary.Region + j - 1);
                    // The first round liquidates within the step's capacity on the asset (docs/model.md section 8.2).
                    double forced = forcedUnits * _bookMultiplier * price;
                    if (Math.Abs(forced) > capacity) forced = forced < 0 ? -capacity : capacity;
                    double profit = AttackProfit(i, v, mid, push, forced);
                    if (profit > bestProfit)
                    {
                        bestProfit = profit;
                        bestPush = push;
                        bestAsset = i;
                    }
                }
            }
            A(OracleState.Price, i) = mid;
        }
        if (bestAsset < 0) return;
        double before = A(MarketState.Mid, bestAsset);
        double units = FlowForImpact(bestAsset, bestPush) / before;
        ExecuteFlow(step, bestAsset, units, liquidation: false); // several venues: with the common pool's share
        if (_failFlag != 0) return;
        TrackMin(bestAsset);
        double fill = A(ExecutionState.Execution, bestAsset);
        OpenAttack(v, AdversaryState.Units) = units;
        OpenAttack(v, AdversaryState.Asset) = bestAsset;
        OpenAttack(v, AdversaryState.Cash) = -units * fill - Pd(_l.Adversary.Fee, v) * Math.Abs(units) * fill
            - Pd(_l.Adversary.CapitalCost, v) * Math.Abs(units) * before;
        _advForecast += bestProfit;
        _advAttacks++;
    }

    /// <summary>
    /// docs/model.md section 10, the closed form (linear impact, scale c): a push of log size Delta from the mid p takes
    /// u = Delta / (c p) units, filled at p e^(Delta / 2); the first round's forced flow F (USD, at p1 = p e^Delta, a sale
    /// negative) moves the price to p2 = p1 e^(c F); buying back -u fills at p2 e^(-c' u p2 / 2), c' the scale at the depth
    /// F's withdrawal leaves (section 8.1). The profit is
    /// -u p e^(Delta/2) + u p2 e^(-c u p2 / 2) less the fee on both fills and the cost of capital for one step on u p.
    /// </summary>
    private readonly double AttackProfit(int i, int v, double mid, double push, double forced)
    {
        double scale = ImpactScale(i, EffectiveDepth(i));
        double units = push / scale / mid;
        double first = mid * Math.Exp(0.5 * push);
        double after = mid * Math.Exp(push) * Math.Exp(scale * forced);
        // The forced sales withdraw depth (docs/model.md section 8.1), so the buy-back meets the thinner book.
        double backScale = _l.Liquidity.On != 0 && forced != 0
            ? ImpactScale(i, _depthMultiplier * DepthFactorAt(i, WithdrawalAfter(i, forced))) : scale;
        double second = after * Math.Exp(-0.5 * backScale * units * after);
        double fee = Pd(_l.Adversary.Fee, v) * Math.Abs(units) * (first + second);
        return -units * first + units * second - fee - Pd(_l.Adversary.CapitalCost, v) * Math.Abs(units) * mid;
    }

    /// <summary>The USD of position flow the step's first round may liquidate on market <paramref name="i"/>: its venue's
    /// capacity per step (docs/model.md section 8.2), +infinity without one.</summary>
    private readonly double ForecastCapacity(int i) => _l.Capacity.On == 0 ? double.PositiveInfinity : CapacityPerStepOf(MarketVenue(i));

    /// <summary>
    /// The units (a sale negative, per unit of the book multiplier) that the first round's liquidations would send to asset
    /// <paramref name="i"/>'s book, by the push j / J of <paramref name="reach"/> (from the mid <paramref name="mid"/>) at
    /// which each cohort becomes liquidatable, into the J slots of the mechanism region: as the round's candidates and flows
    /// (docs/model.md section 5: each cohort's fraction by the round's own rule, Candidates.RoundFraction, and its positions
    /// and collateral in the asset; the caller bounds their sum by the capacity), with asset i's oracle moved alone. A cohort not
    /// liquidatable at the full reach is skipped with one check; the others' level is found by bisection, which takes a
    /// cohort's margin to fall monotonically along the push (as it does for a position's own direction). The oracle is
    /// left moved.
    /// </summary>
    private readonly void ForcedUnitsByLevel(int i, double mid, double reach, int step, int levels)
    {
        int region = _l.MechanismSlot + _l.Adversary.Region;
        for (int j = 0; j < levels; j++) _m.R(region + j) = 0;
        for (int c = 0; c < _cohorts; c++)
        {
            if (!OpenOf(c)) continue;
            double held = 0;
            for (int p = Pi(_l.PositionStart, c); p < Pi(_l.PositionStart, c + 1); p++)
                if (Pi(_l.PositionAsset, p) == i) held += ScaleOf(c) * Pd(_l.PositionUnits, p);
            for (int j = Pi(_l.CollateralStart, c); j < Pi(_l.CollateralStart, c + 1); j++)
                if (Pi(_l.CollateralAsset, j) == i) held += CollateralScaleOf(c) * Pd(_l.CollateralUnits, j);
            if (held == 0) continue;
            // The round's own rule (Candidates.RoundFraction) at the full reach; then, unless it is a forced close (at any
            // level), the first level whose push makes it liquidatable.
            A(OracleState.Price, i) = mid * Math.Exp(reach);
            double f = RoundFraction(c, step, out _, out _);
            if (f == 0) continue;
            int level = 1;
            if (!ForcedOf(c))
            {
                int high = levels;
                while (level < high)
                {
                    int middle = (level + high) / 2;
                    A(OracleState.Price, i) = mid * Math.Exp(reach * middle / levels);
                    if (RoundFraction(c, step, out _, out _) > 0) high = middle;
                    else level = middle + 1;
                }
            }
            _m.R(region + level - 1) -= f * held;
        }
    }

    /// <summary>After the first round's execution, before its settlement: each attacker buys (sells) back what it pushed
    /// with, right after the forced flow, as no liquidation; the cohorts still settle at the round's own fill.</summary>
    [PhaseHook(nameof(OnExecuted), Order = 1, Switch = "Adversary")]
    private void BuyBackAfterForcedSales(int step)
    {
        if (_l.Adversary.On == 0) return;
        // A buy-back that runs the path away leaves the later venues' attacks open, marked at the last mid.
        for (int v = 0; v < VenueCount && _failFlag == 0; v++)
        {
            if (OpenAttack(v, AdversaryState.Units) == 0) continue;
            int i = (int)OpenAttack(v, AdversaryState.Asset);
            double fill = A(ExecutionState.Execution, i);
            CloseAttack(step, v);
            A(ExecutionState.Execution, i) = fill;
        }
    }

    /// <summary>End of step: an attack still open (no liquidation round ran) is closed at the market.</summary>
    [PhaseHook(nameof(OnEndOfStep), Order = 1, Switch = "Adversary")]
    private void CloseOpenAttack(int step)
    {
        if (_l.Adversary.On == 0) return;
        for (int v = 0; v < VenueCount && _failFlag == 0; v++)
            if (OpenAttack(v, AdversaryState.Units) != 0) CloseAttack(step, v);
    }

    /// <summary>Trades venue <paramref name="v"/>'s open attack's units back (no liquidation) and books its P&amp;L.</summary>
    private void CloseAttack(int step, int v)
    {
        int i = (int)OpenAttack(v, AdversaryState.Asset);
        double units = -OpenAttack(v, AdversaryState.Units);
        ExecuteFlow(step, i, units, liquidation: false);
        TrackMin(i);
        double fill = A(ExecutionState.Execution, i);
        _advPnl += OpenAttack(v, AdversaryState.Cash) - units * fill - Pd(_l.Adversary.Fee, v) * Math.Abs(units) * fill;
        OpenAttack(v, AdversaryState.Units) = 0;
        OpenAttack(v, AdversaryState.Cash) = 0;
    }

    /// <summary>End of path: the front-runners' outputs, summed over venues (<see cref="AdversaryOutput"/>).</summary>
    [PhaseHook(nameof(OnEndOfPath), Order = 90)]
    private readonly void WriteAdversaryOutputs<TOD, TOI>(PathSlots<TOD, TOI> output)
        where TOD : struct, IModelArray<double>
        where TOI : struct, IModelArray<int>
    {
        // An attack still open (the path ran away during it, docs/model.md section 8.7) is marked at the last mid.
        double open = 0;
        if (_l.Adversary.On != 0)
            for (int v = 0; v < VenueCount; v++)
            {
                double units = OpenAttack(v, AdversaryState.Units);
                if (units != 0) open += OpenAttack(v, AdversaryState.Cash) + units * A(MarketState.Mid, (int)OpenAttack(v, AdversaryState.Asset));
            }
        output.R(AdversaryOutput.Pnl) = _advPnl + open;
        output.R(AdversaryOutput.Forecast) = _advForecast;
        output.R(AdversaryOutput.Attacks) = _advAttacks;
        output.R(AdversaryOutput.Attacked) = _advAttacks > 0 ? 1 : 0;
    }
}

/// <summary>The front-runners in the plan (docs/model.md section 10): one per venue at most (one venue: index 0).</summary>
[PlanParams("Adversary")]
public struct AdversaryParams
{
    /// <summary>Some venue has one (0 or 1).</summary>
    public int On;
    /// <summary>Offsets of the per-venue integers: whether the venue has one, whether it sees the book (1) or is blind (0),
    /// and the pushes J it weighs per asset and direction.</summary>
    public int VenueOn, Sees, Levels;
    /// <summary>Where its slots start in the mechanism region (relative to <see cref="PlanLayout.MechanismSlot"/>): the J
    /// slots of forced units by push (the largest J of the venues'), then, from <see cref="OpenAttacks"/> on, each venue's
    /// open attack (<see cref="AdversaryState"/>).</summary>
    public int Region, OpenAttacks;
    /// <summary>Offsets of the per-venue reals: its budget (USD of the push), its fee per USD filled, its cost of capital
    /// per step per USD pushed, and the largest log push it makes, sqrt(fee).</summary>
    public int Budget, Fee, CapitalCost, MaxPush;
}

/// <summary>A front-runner's open attack, per venue in the mechanism region: its units (0: none), its cash so far and its
/// market.</summary>
public static class AdversaryState
{
    /// <summary>Fields of one venue's open attack.</summary>
    public const int Units = 0, Cash = 1, Asset = 2;

    /// <summary>Slots per venue.</summary>
    public const int Fields = 3;
}

/// <summary>The front-runner's per-path outputs (slots of <see cref="PathOutput"/>).</summary>
[OutputBlock(8)]
public static partial class AdversaryOutput
{
    /// <summary>Its realised P&amp;L (USD), the P&amp;L it forecast, its attacks (steps), whether it attacked at all.</summary>
    public const int Pnl = First, Forecast = First + 1, Attacks = First + 2, Attacked = First + 3;

    /// <summary>Slots.</summary>
    public const int Fields = 4;
}
