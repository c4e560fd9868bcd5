namespace GpuCascade.Kernels;

/// <summary>
/// Several venues (docs/model.md section 9): the plan's assets are markets, venue-major (market k = venue k / U trading
/// underlying k % U, U underlyings), every market of an underlying moved by the same exogenous shocks. Each venue has its
/// own cohorts, penalty, partial-liquidation tranche, dust, insurance fund and auto-deleveraging; a common pool of depth
/// carries part of every round's move to the other venues' markets of the underlying, and arbitrageurs with their own
/// capital close the gaps between venues once per step. With one venue the mechanism is off and every path is unchanged.
/// </summary>
public partial struct CascadePath<TD, TI, TSD, TSI, TP>
{
    // docs/model.md section 9: whether the arbitrageurs' capital bound, and the steps in which they traded.
    private bool _arbCapitalExhausted;
    private double _arbTradeSteps;

    /// <summary>Start of path: each venue's ledger at its starting fund, no moves shared yet, no arbitrage inventory.</summary>
    [PhaseHook(nameof(OnStartOfPath), Order = 80)]
    private void StartVenues()
    {
        _arbCapitalExhausted = false;
        _arbTradeSteps = 0;
        if (_l.Venues.On == 0) return;
        for (int v = 0; v < _l.Venues.Count; v++)
        {
            double fund = Pd(_l.Venues.FundStart, v);
            A(VenueState.Fund, v) = fund;
            A(VenueState.BadDebt, v) = 0;
            A(VenueState.UncoveredBeforeAdl, v) = 0;
            A(VenueState.Uncovered, v) = 0;
            A(VenueState.RoundPenalties, v) = 0;
            A(VenueState.RoundBadDebt, v) = 0;
        }
        int ring = _l.MechanismSlot + _l.Venues.Ring;
        for (int k = 0; k < _l.Venues.ArbitrageDelay * _n; k++) _m.R(ring + k) = 0; // no gap seen before the path
        for (int i = 0; i < _n; i++)
        {
            A(VenueState.Imported, i) = 0;
            A(VenueState.MaxImported, i) = 0;
            for (int w = 0; w < VenueOutput.MaxVenues; w++)
            {
                A(VenueState.ImportedFrom + w, i) = 0;
                A(VenueState.MaxImportedFrom + w, i) = 0;
            }
            A(VenueState.RoundDelta, i) = 0;
            A(VenueState.Inventory, i) = 0;
            A(VenueState.Cash, i) = 0;
        }
    }

    /// <summary>The venue of cohort <paramref name="c"/> (0 with one venue).</summary>
    private readonly int VenueOf(int c) => _l.Venues.On != 0 ? Pi(_l.Venues.CohortVenue, c) : 0;

    /// <summary>Cohort <paramref name="c"/>'s venue's liquidation penalty rate.</summary>
    private readonly double PenaltyOf(int c) => _l.Venues.On != 0 ? Pd(_l.Venues.Penalty, VenueOf(c)) : _l.Penalty;

    /// <summary>Cohort <paramref name="c"/>'s venue's partial-liquidation fraction (1: full).</summary>
    private readonly double TrancheOf(int c) => _l.Venues.On != 0 ? Pd(_l.Venues.Tranche, VenueOf(c)) : _l.Tranche;

    /// <summary>Cohort <paramref name="c"/>'s venue's dust per account (USD).</summary>
    private readonly double DustOf(int c) => _l.Venues.On != 0 ? Pd(_l.Venues.Dust, VenueOf(c)) : _l.DustPerAccount;

    /// <summary>Settlement's share of a cohort's penalty and bad debt in its venue's round totals.</summary>
    private readonly void AddToVenueRound(int c, double penalty, double badDebt)
    {
        if (_l.Venues.On == 0) return;
        int v = VenueOf(c);
        A(VenueState.RoundPenalties, v) += penalty;
        A(VenueState.RoundBadDebt, v) += badDebt;
    }

    /// <summary>
    /// docs/model.md section 9: the loss waterfall venue by venue. Each venue's penalties go into its own fund, which pays
    /// what it can of its own bad debt; its backstop (when it has one) absorbs what its limit allows; its
    /// auto-deleveraging (when on) takes the rest from its own cohorts; what is left is
    /// the venue's uncovered loss. The path's ledger holds the sums (its fund is the sum of the venues' funds).
    /// </summary>
    private void CoverVenueLosses(double roundPenalties, double roundBadDebt)
    {
        double paid = 0, beforeAdl = 0, uncovered = 0, funds = 0;
        for (int v = 0; v < _l.Venues.Count; v++)
        {
            double penalties = A(VenueState.RoundPenalties, v), badDebt = A(VenueState.RoundBadDebt, v);
            A(VenueState.RoundPenalties, v) = 0;
            A(VenueState.RoundBadDebt, v) = 0;
            double fund = A(VenueState.Fund, v) + penalties;
            double pay = Math.Min(fund, badDebt);
            fund -= pay;
            A(VenueState.Fund, v) = fund;
            A(VenueState.BadDebt, v) += badDebt;
            A(VenueState.UncoveredBeforeAdl, v) += badDebt - pay;
            // The venue's own backstop (docs/model.md section 8.11), when it has one, before its ADL.
            double left = Deleverage(AbsorbAfterFund(badDebt - pay, v), v);
            A(VenueState.Uncovered, v) += left;
            paid += pay;
            beforeAdl += badDebt - pay;
            uncovered += left;
            funds += fund;
        }
        _ledger.Fund = funds;
        _ledger.Penalties += roundPenalties;
        _ledger.BadDebt += roundBadDebt;
        _ledger.BadDebtPaid += paid;
        _ledger.UncoveredBeforeAdl += beforeAdl;
        _ledger.Uncovered += uncovered;
    }

    /// <summary>
    /// docs/model.md section 9, the common pool: after a round's flows are executed market by market, each market j also
    /// moves by its pool share phi_j times the round's own moves of the other venues' markets of its underlying (the flows
    /// arrive together, so the fill of a market that traded moves by half of it, as a linear fill does). The shared move is
    /// split into permanent and transient impact like j's own, counts in j's liquidation-driven displacement when the flows
    /// are liquidations (<paramref name="liquidation"/>; else they are a participant's trades on every market at once:
    /// returning liquidity, dealers), and is imported from other venues.
    /// </summary>
    private void ShareRoundMoves(int step, bool liquidation)
    {
        int u = _l.Venues.Underlyings, venues = _l.Venues.Count;
        for (int j = 0; j < _n && _failFlag == 0; j++)
        {
            double share = Pd(_l.Venues.PoolShare, j);
            if (share == 0) continue;
            double others = 0;
            for (int v = 0, k = j % u; v < venues; v++, k += u)
                if (k != j) others += A(VenueState.RoundDelta, k);
            if (others == 0) continue;
            double move = share * others;
            TP real = default;
            if (A(ExecutionState.FlowUnits, j) != 0)
                A(ExecutionState.Execution, j) = real.Hold(A(ExecutionState.Execution, j) * Math.Exp(0.5 * move));
            MoveMarket(step, j, move, liquidation);
            for (int v = 0, k = j % u; v < venues; v++, k += u)
                if (k != j) ImportFrom(j, v, share * A(VenueState.RoundDelta, k)); // whose flow it was
        }
        for (int i = 0; i < _n; i++) A(VenueState.RoundDelta, i) = 0;
    }

    /// <summary>The common pool after one participant's trade on market <paramref name="i"/> (its own move in
    /// <see cref="VenueState.RoundDelta"/>): the other venues' markets of the underlying move by their pool share of it.</summary>
    private void ShareOneMove(int step, int i)
    {
        double delta = A(VenueState.RoundDelta, i);
        A(VenueState.RoundDelta, i) = 0;
        if (delta == 0) return;
        int u = _l.Venues.Underlyings;
        for (int v = 0, k = i % u; v < _l.Venues.Count && _failFlag == 0; v++, k += u)
        {
            if (k == i) continue;
            double share = Pd(_l.Venues.PoolShare, k);
            if (share == 0) continue;
            MoveMarket(step, k, share * delta, liquidation: false);
            ImportFrom(k, i / u, share * delta);
        }
    }

    /// <summary>Moves market <paramref name="j"/>'s log mid by <paramref name="move"/> that came from another venue: permanent
    /// and transient parts as its own impact, the displacement for a liquidation's move, the imported move, the runaway
    /// bound.</summary>
    private void MoveMarket(int step, int j, double move, bool liquidation)
    {
        Import(j, move);
        MoveLogMid(step, j, move, liquidation, 0);
    }

    /// <summary>Adds <paramref name="move"/> to market <paramref name="j"/>'s imported move and tracks its largest size.</summary>
    private readonly void Import(int j, double move)
    {
        double imported = A(VenueState.Imported, j) + move;
        A(VenueState.Imported, j) = imported;
        if (Math.Abs(imported) > A(VenueState.MaxImported, j)) A(VenueState.MaxImported, j) = Math.Abs(imported);
    }

    /// <summary>Adds <paramref name="move"/>, imported from venue <paramref name="source"/>, to market <paramref name="j"/>'s
    /// move from that venue and tracks its largest size.</summary>
    private readonly void ImportFrom(int j, int source, double move)
    {
        if (source >= VenueOutput.MaxVenues) return;
        double imported = A(VenueState.ImportedFrom + source, j) + move;
        A(VenueState.ImportedFrom + source, j) = imported;
        if (Math.Abs(imported) > A(VenueState.MaxImportedFrom + source, j)) A(VenueState.MaxImportedFrom + source, j) = Math.Abs(imported);
    }

    /// <summary>Start of step: the imported moves decay like transient impact.</summary>
    [PhaseHook(nameof(OnStartOfStep), Order = 50, Switch = "Venues")]
    private readonly void DecayImported(int step)
    {
        if (_l.Venues.On == 0) return;
        for (int i = 0; i < _n; i++)
        {
            double decay = Pd(_l.Impact.Decay, i);
            A(VenueState.Imported, i) *= decay;
            for (int w = 0; w < VenueOutput.MaxVenues; w++) A(VenueState.ImportedFrom + w, i) *= decay;
        }
    }

    /// <summary>
    /// docs/model.md section 9, arbitrage between venues, after the market move and before the rounds: for each underlying,
    /// the arbitrageurs aim to move every venue's log mid m_v a share kappa of the way to the depth-weighted mean
    /// m = sum w_v m_v / sum w_v (w_v = 1 / the market's impact scale, so with linear impact their purchases and sales net to
    /// zero USD). The flows are scaled down together to the largest share that keeps their gross inventory's value within
    /// the capital (or does not raise it, once prices have carried it past); each is executed as no liquidation, with the
    /// common pool, and imports the other venues' price.
    /// </summary>
    [PhaseHook(nameof(OnMarketMoved), Order = 27, Switch = "Venues")]
    private void Arbitrage(int step)
    {
        if (_l.Venues.On == 0 || _l.Venues.ArbitrageOn == 0) return;
        int u = _l.Venues.Underlyings, venues = _l.Venues.Count;
        double kappa = _l.Venues.ArbitrageKappa, capital = _l.Venues.ArbitrageCapital;
        bool traded = false;
        for (int a = 0; a < u && _failFlag == 0; a++)
        {
            double weights = 0, weighted = 0;
            for (int v = 0, k = a; v < venues; v++, k += u)
            {
                double w = ArbitrageWeight(k);
                weights += w;
                weighted += w * LogMid(k);
            }
            double mean = weighted / weights, wanted = 0;
            int delay = _l.Venues.ArbitrageDelay, ring = _l.MechanismSlot + _l.Venues.Ring;
            for (int v = 0, k = a; v < venues; v++, k += u)
            {
                double gap = mean - LogMid(k);
                if (delay > 0)
                {
                    // The ring holds the last L steps' gaps: step t reads t - L's slot before writing its own.
                    int slot = ring + step % delay * _n + k;
                    double seen = step >= delay ? _m.R(slot) : 0.0;
                    _m.R(slot) = gap;
                    gap = seen;
                }
                // A gap of rounding (identical venues) is no gap: nothing to trade.
                double q = Math.Abs(gap) > 1e-12 && !TradingHalted(step, k) ? FlowForImpact(k, kappa * gap) : 0.0; // none on a halted venue
                A(ExecutionState.FlowUnits, k) = q; // USD here; the units are set below
                wanted += Math.Abs(q);
            }
            if (!(wanted > 0)) continue;
            // The capital: the largest share (at most all) of the wanted flows that keeps the gross inventory's value within
            // K, or, when prices have already carried it past K, that does not raise it (trades that shrink it go through).
            double scale = 1.0;
            if (GrossArbitrage(a, 1.0) > capital)
            {
                double limit = Math.Max(capital, GrossArbitrage(a, 0.0)), low = 0.0, high = 1.0;
                for (int iteration = 0; iteration < 40; iteration++)
                {
                    double middle = 0.5 * (low + high);
                    if (GrossArbitrage(a, middle) <= limit) low = middle;
                    else high = middle;
                }
                scale = low;
                _arbCapitalExhausted = true;
            }
            if (scale <= 1e-12)
            {
                for (int v = 0, k = a; v < venues; v++, k += u) A(ExecutionState.FlowUnits, k) = 0;
                continue;
            }
            for (int v = 0, k = a; v < venues && _failFlag == 0; v++, k += u)
            {
                double flow = scale * A(ExecutionState.FlowUnits, k);
                A(ExecutionState.FlowUnits, k) = 0;
                if (flow == 0) continue;
                double before = LogMid(k), units = flow / A(MarketState.Mid, k);
                // Whose prices it imports: the other venues by their part of the gap, |w_w (m_w - m_k)|, before the trade (whose
                // share through the common pool moves them).
                double parts = 0;
                for (int x = 0, m = a; x < venues; x++, m += u)
                    if (m != k)
                    {
                        double part = Math.Abs(ArbitrageWeight(m) * (LogMid(m) - before));
                        A(VenueState.GapPart, m) = part;
                        parts += part;
                    }
                ExecuteFlow(step, k, units, liquidation: false);
                if (_failFlag != 0) return;
                double moved = LogMid(k) - before;
                Import(k, moved);
                if (parts > 0)
                    for (int x = 0, m = a; x < venues; x++, m += u)
                        if (m != k) ImportFrom(k, x, moved * A(VenueState.GapPart, m) / parts);
                TrackMin(k);
                A(VenueState.Inventory, k) += units;
                A(VenueState.Cash, k) -= units * A(ExecutionState.Execution, k);
                traded = true;
            }
        }
        if (traded) _arbTradeSteps++;
    }

    /// <summary>Market <paramref name="k"/>'s weight in the arbitrageurs' mean price: 1 / its impact scale now.</summary>
    private readonly double ArbitrageWeight(int k) => 1.0 / ImpactScale(k, EffectiveDepth(k));

    /// <summary>The arbitrageurs' gross inventory value at the mids if they traded <paramref name="share"/> of the flows
    /// (USD, in <see cref="ExecutionState.FlowUnits"/>) wanted on underlying <paramref name="underlying"/>'s markets.</summary>
    private readonly double GrossArbitrage(int underlying, double share)
    {
        int u = _l.Venues.Underlyings;
        double gross = 0;
        for (int i = 0; i < _n; i++)
        {
            double mid = A(MarketState.Mid, i), units = A(VenueState.Inventory, i);
            if (i % u == underlying) units += share * A(ExecutionState.FlowUnits, i) / mid;
            gross += Math.Abs(units) * mid;
        }
        return gross;
    }

    /// <summary>End of path: each venue's figures (<see cref="VenueOutput"/>, up to <see cref="VenueOutput.MaxVenues"/>) and
    /// the arbitrageurs' P&amp;L.</summary>
    [PhaseHook(nameof(OnEndOfPath), Order = 80)]
    private readonly void WriteVenueOutputs<TOD, TOI>(PathSlots<TOD, TOI> output)
        where TOD : struct, IModelArray<double>
        where TOI : struct, IModelArray<int>
    {
        for (int v = 0; v < VenueOutput.MaxVenues; v++)
            for (int f = 0; f < VenueOutput.PerVenue; f++) output.R(VenueOutput.Slot(v, f)) = 0;
        double pnl = 0;
        if (_l.Venues.On != 0)
        {
            int u = _l.Venues.Underlyings;
            for (int v = 0; v < _l.Venues.Count && v < VenueOutput.MaxVenues; v++)
            {
                double liquidated = 0, displacement = 0, imported = 0;
                for (int k = v * u; k < (v + 1) * u; k++)
                {
                    liquidated += A(SettlementState.Liquidated, k);
                    displacement = Math.Max(displacement, A(ExecutionState.MaxDisplacement, k));
                    imported = Math.Max(imported, A(VenueState.MaxImported, k));
                }
                for (int w = 0; w < VenueOutput.MaxVenues; w++)
                {
                    if (w == v) continue;
                    double from = 0;
                    for (int k = v * u; k < (v + 1) * u; k++) from = Math.Max(from, A(VenueState.MaxImportedFrom + w, k));
                    output.R(VenueOutput.Slot(v, VenueOutput.MovedByField(v, w))) = from >= _l.CascadeThreshold ? 1 : 0;
                }
                output.R(VenueOutput.Slot(v, VenueOutput.BadDebt)) = A(VenueState.BadDebt, v);
                output.R(VenueOutput.Slot(v, VenueOutput.UncoveredBeforeAdl)) = A(VenueState.UncoveredBeforeAdl, v);
                output.R(VenueOutput.Slot(v, VenueOutput.Uncovered)) = A(VenueState.Uncovered, v);
                output.R(VenueOutput.Slot(v, VenueOutput.FundEnd)) = A(VenueState.Fund, v);
                output.R(VenueOutput.Slot(v, VenueOutput.LiquidatedNotional)) = liquidated;
                output.R(VenueOutput.Slot(v, VenueOutput.Cascade)) = displacement >= _l.CascadeThreshold ? 1 : 0;
                output.R(VenueOutput.Slot(v, VenueOutput.ImportedMove)) = imported;
                output.R(VenueOutput.Slot(v, VenueOutput.MovedByOthers)) = imported >= _l.CascadeThreshold ? 1 : 0;
            }
            if (_l.Venues.ArbitrageOn != 0) pnl = MarkToMarket(VenueState.Inventory, VenueState.Cash, out _);
        }
        output.R(VenueOutput.ArbitragePnl) = pnl;
        output.R(VenueOutput.ArbitrageCapitalExhausted) = _arbCapitalExhausted ? 1 : 0;
        output.R(VenueOutput.ArbitrageTradeSteps) = _arbTradeSteps;
    }
}

/// <summary>Several venues in the plan (docs/model.md section 9).</summary>
[PlanParams("Venues")]
public struct VenuesParams
{
    /// <summary>Two or more venues (0 or 1); the pool shares some depth (0 or 1); arbitrageurs trade (0 or 1).</summary>
    public int On, Pool, ArbitrageOn;
    /// <summary>Venues V and underlyings U (the plan's assets are V x U markets, venue-major).</summary>
    public int Count, Underlyings;
    /// <summary>Offset of the per-cohort integers: the cohort's venue; of the per-venue integers: ADL on (0 or 1).</summary>
    public int CohortVenue, Adl;
    /// <summary>Offsets of the per-venue reals: penalty rate, starting fund, tranche (1: full), dust per account.</summary>
    public int Penalty, FundStart, Tranche, Dust;
    /// <summary>Offset of the per-market reals: the common pool's share phi of the market's depth.</summary>
    public int PoolShare;
    /// <summary>Offset of the per-venue reals: the liquidation capacity per step (USD; +infinity: none); of the per-venue
    /// integers: the oracle's delay in steps (at most the plan's <see cref="OracleParams.Delay"/>).</summary>
    public int CapacityPerStep, OracleDelay;
    /// <summary>The venues' oracle delays differ (0 or 1): each market reads its own venue's.</summary>
    public int MixedOracle;
    /// <summary>Arbitrage: the share of the gap closed per step, and the capital (USD; +infinity: none).</summary>
    public double ArbitrageKappa, ArbitrageCapital;
    /// <summary>Arbitrage: the delay L in steps, and where the ring of the last L steps' gaps starts in the mechanism region
    /// (relative to <see cref="PlanLayout.MechanismSlot"/>; L x N real slots).</summary>
    public int ArbitrageDelay, Ring;
}

/// <summary>Per-asset state of several venues: per venue v (slot v, v &lt; V &lt;= N) its ledger and the round's totals; per
/// market the move imported from other venues, its largest size, the round's own move, the arbitrageurs' inventory and
/// cash.</summary>
[StateBlock(9)]
public static partial class VenueState
{
    /// <summary>Per-venue fields (indexed by venue).</summary>
    public const int Fund = First, BadDebt = First + 1, UncoveredBeforeAdl = First + 2, Uncovered = First + 3,
        RoundPenalties = First + 4, RoundBadDebt = First + 5;

    /// <summary>Per-market fields.</summary>
    public const int Imported = First + 6, MaxImported = First + 7, RoundDelta = First + 8, Inventory = First + 9, Cash = First + 10;

    /// <summary>Per-market fields, one per source venue w (field + w): the move imported from venue w, and its largest size.</summary>
    public const int ImportedFrom = First + 11, MaxImportedFrom = ImportedFrom + VenueOutput.MaxVenues;

    /// <summary>Per-market scratch: the market's part of the gap an arbitrage trade on another market closes, before it.</summary>
    public const int GapPart = MaxImportedFrom + VenueOutput.MaxVenues;

    /// <summary>How many per-asset fields the mechanism needs.</summary>
    public const int Fields = 12 + 2 * VenueOutput.MaxVenues;
}

/// <summary>Several venues' per-path outputs (slots of <see cref="PathOutput"/>): <see cref="PerVenue"/> figures for each of up
/// to <see cref="MaxVenues"/> venues, then the arbitrageurs'.</summary>
[OutputBlock(7)]
public static partial class VenueOutput
{
    /// <summary>Venues a run reports on.</summary>
    public const int MaxVenues = 4;

    /// <summary>A venue's figures: bad debt, its uncovered loss before ADL (its fund depleted when positive), after ADL, its
    /// fund at the end, its liquidated notional, whether it had a cascade, the largest move imported from other venues and
    /// whether that reached the cascade threshold, and per other venue w whether the move imported from w alone reached it
    /// (the field <see cref="MovedByField"/>).</summary>
    public const int BadDebt = 0, UncoveredBeforeAdl = 1, Uncovered = 2, FundEnd = 3, LiquidatedNotional = 4, Cascade = 5,
        ImportedMove = 6, MovedByOthers = 7, MovedBy = 8, PerVenue = 8 + MaxVenues - 1;

    /// <summary>The arbitrageurs' P&amp;L (USD), whether their capital bound (0/1), the steps they traded in.</summary>
    public const int ArbitragePnl = First + MaxVenues * PerVenue, ArbitrageCapitalExhausted = ArbitragePnl + 1,
        ArbitrageTradeSteps = ArbitragePnl + 2;

    /// <summary>Slots.</summary>
    public const int Fields = MaxVenues * PerVenue + 3;

    /// <summary>The field of venue <paramref name="venue"/>'s "moved by venue <paramref name="source"/>" (source != venue).</summary>
    public static int MovedByField(int venue, int source) => MovedBy + (source < venue ? source : source - 1);

    /// <summary>The slot of field <paramref name="field"/> of venue <paramref name="venue"/>.</summary>
    public static int Slot(int venue, int field) => First + venue * PerVenue + field;
}
