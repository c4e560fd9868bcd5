namespace GpuCascade.Kernels;

/// <summary>
/// A backstop liquidity provider (docs/model.md section 8.11): a vault that takes the part of a round's liquidation flow
/// that would move an asset's price beyond the slippage limit, at the mid less a discount, within its capital and loss
/// limit; it unwinds what it holds into the market at a rate, and absorbs bad debt after the insurance fund. As an account
/// backstop (a takeover share q &gt; 0) it instead takes over whole cohorts whose equity has fallen below q times their
/// requirement, with the margin they have left, and leaves bad debt to the waterfall. With several venues each venue may
/// have its own vault, of either kind, on its own markets and cohorts.
/// </summary>
public partial struct CascadePath<TD, TI, TSD, TSI, TP>
{
    // docs/model.md section 8.11, summed over the vaults: notional taken (USD at its price), cohorts taken over, whether some
    // vault's cap or loss limit bound. The bad debt each absorbed is its venue's BackstopState.Absorbed.
    private double _backstopTaken, _backstopTakeovers;
    private bool _backstopExhausted;

    /// <summary>Start of path: empty vaults.</summary>
    [PhaseHook(nameof(OnStartOfPath), Order = 70)]
    private void StartBackstop()
    {
        _backstopTaken = 0;
        _backstopTakeovers = 0;
        _backstopExhausted = false;
        if (_l.Backstop.On == 0) return;
        for (int i = 0; i < _n; i++)
        {
            A(BackstopState.Inventory, i) = 0;
            A(BackstopState.Cash, i) = 0;
            A(BackstopState.Taken, i) = 0;
            A(BackstopState.Absorbed, i) = 0; // per venue (venue v at index v)
        }
    }

    /// <summary>The venue market <paramref name="i"/> trades on (0 with one venue).</summary>
    private readonly int MarketVenue(int i) => _l.Venues.On != 0 ? i / _l.Venues.Underlyings : 0;

    /// <summary>Whether venue <paramref name="v"/> has a vault.</summary>
    private readonly bool HasBackstop(int v) => _l.Backstop.On != 0 && Pi(_l.Backstop.VenueOn, v) != 0;

    /// <summary>Venue <paramref name="v"/>'s vault's loss so far at the current mids, minus its P&amp;L when negative: the bad
    /// debt it absorbed less what its inventory and cash (in its venue's markets) are worth.</summary>
    private readonly double BackstopLoss(int v)
    {
        int first = 0, end = _n;
        if (_l.Venues.On != 0)
        {
            first = v * _l.Venues.Underlyings;
            end = first + _l.Venues.Underlyings;
        }
        double worth = 0;
        for (int i = first; i < end; i++)
        {
            double value = A(BackstopState.Inventory, i) * A(MarketState.Mid, i);
            worth += value + A(BackstopState.Cash, i);
        }
        return Math.Max(0.0, A(BackstopState.Absorbed, v) - worth);
    }

    /// <summary>
    /// After the round's flows are summed: per asset, the book takes the flow whose impact is the slippage limit
    /// (<c>FlowForImpact(±sigma)</c>); the backstop takes the overflow T, within its capital (|inventory - T| m &lt;= K)
    /// and while its loss is below the limit; the book keeps the rest.
    /// </summary>
    [PhaseHook(nameof(OnFlowsSummed), Order = 10, Switch = "Backstop")]
    private void SplitOverflow(int step)
    {
        if (_l.Backstop.On == 0) return;
        for (int i = 0; i < _n; i++)
        {
            A(BackstopState.Taken, i) = 0;
            int v = MarketVenue(i);
            if (!HasBackstop(v) || Pd(_l.Backstop.Takeover, v) > 0) continue; // no vault here, or one that takes accounts
            double units = A(ExecutionState.FlowUnits, i);
            if (units == 0 || !(ImpactScale(i, EffectiveDepth(i)) > 0)) continue; // a book that nothing moves takes it all
            double mid = A(MarketState.Mid, i), sigma = Pd(_l.Backstop.LogSlippage, v);
            double bookUnits = FlowForImpact(i, units < 0 ? -sigma : sigma) / mid;
            if (Math.Abs(units) <= Math.Abs(bookUnits)) continue;
            double overflow = units - bookUnits;
            double inventory = A(BackstopState.Inventory, i), room = Pd(_l.Backstop.Capital, v) / mid;
            bool open = BackstopLoss(v) < Pd(_l.Backstop.LossLimit, v); // the vault's state does not change in this loop
            double taken = !open ? 0.0
                : overflow < 0 ? Math.Max(overflow, Math.Min(0.0, inventory - room))
                : Math.Min(overflow, Math.Max(0.0, inventory + room));
            if (taken != overflow) _backstopExhausted = true;
            A(BackstopState.Taken, i) = taken;
            A(ExecutionState.FlowUnits, i) = units - taken;
        }
    }

    /// <summary>After the book's part is executed: the round's fill is the blend of the book's execution price and the
    /// backstop's (the mid less the discount when it buys, plus it when it sells), and the vault books its fill.</summary>
    [PhaseHook(nameof(OnExecuted), Order = 10, Switch = "Backstop")]
    private void BlendBackstopFill(int step)
    {
        if (_l.Backstop.On == 0) return;
        TP real = default;
        for (int i = 0; i < _n; i++)
        {
            double taken = A(BackstopState.Taken, i);
            if (taken == 0) continue;
            double mid = A(BackstopState.RoundMid, i), discount = Pd(_l.Backstop.Discount, MarketVenue(i)); // the mid before the round
            double price = taken < 0 ? mid * (1 - discount) : mid * (1 + discount);
            double bookUnits = A(ExecutionState.FlowUnits, i);
            A(ExecutionState.Execution, i) = real.Hold((bookUnits * A(ExecutionState.Execution, i) + taken * price) / (bookUnits + taken));
            A(BackstopState.Inventory, i) -= taken; // the liquidations sell (taken < 0): the vault buys
            A(BackstopState.Cash, i) += taken * price;
            _backstopTaken += Math.Abs(taken) * price;
            A(BackstopState.Taken, i) = 0;
        }
    }

    /// <summary>Before the split: the mid the round starts from, which the backstop's price refers to.</summary>
    [PhaseHook(nameof(OnFlowsSummed), Order = 5, Switch = "Backstop")]
    private readonly void KeepRoundMid(int step)
    {
        if (_l.Backstop.On == 0) return;
        for (int i = 0; i < _n; i++) A(BackstopState.RoundMid, i) = A(MarketState.Mid, i);
    }

    /// <summary>Each step, after the market move: the vault sells (or buys back) its unwinding share of what it holds into
    /// the book, as no liquidation.</summary>
    [PhaseHook(nameof(OnMarketMoved), Order = 25, Switch = "Backstop")]
    private void UnwindBackstop(int step)
    {
        if (_l.Backstop.On == 0 || _failFlag != 0) return;
        for (int i = 0; i < _n; i++)
        {
            if (TradingHalted(step, i)) continue; // its venue's breaker with scope all
            double units = -A(BackstopState.Inventory, i) * Pd(_l.Backstop.UnwindShare, MarketVenue(i)); // 0 without a vault
            if (units == 0) continue;
            ExecuteFlow(step, i, units, liquidation: false); // several venues: the common pool carries its sale too
            if (_failFlag != 0) return;
            TrackMin(i);
            A(BackstopState.Inventory, i) += units;
            A(BackstopState.Cash, i) -= units * A(ExecutionState.Execution, i);
        }
    }

    /// <summary>
    /// docs/model.md section 8.11, the account backstop: at a round's admission, each candidate of the vault's venue whose
    /// equity at the oracle is below q times its requirement is taken over whole instead of being sent to the book, while the
    /// vault's loss is below its limit and every market's inventory stays within its capital. The vault takes the cohort's
    /// positions and collateral into its inventory and its balance into its cash, so that it holds the account's value at
    /// the mids; a negative value is the round's bad debt (the fund, then ADL, pay the vault it), a positive one the margin
    /// the traders lose. Returns how many candidates are left for the book.
    /// </summary>
    [PhaseHook(nameof(OnAdmission), Order = 7, Switch = "Backstop")]
    private int TakeOver(int count)
    {
        if (_l.Backstop.On == 0 || _l.Backstop.AnyTakeover == 0 || count == 0) return count;
        int venues = _l.Venues.On != 0 ? _l.Venues.Count : 1;
        for (int v = 0; v < venues; v++) // whether each vault is open, from its loss before the round's takeovers
            A(BackstopState.Open, v) = HasBackstop(v) && BackstopLoss(v) < Pd(_l.Backstop.LossLimit, v) ? 1 : 0;
        double badDebt = 0;
        int kept = 0;
        for (int k = 0; k < count; k++)
        {
            int c = CohortInt(PathState.RoundList, k), v = VenueOf(c);
            double q = HasBackstop(v) ? Pd(_l.Backstop.Takeover, v) : 0;
            if (!(q > 0) || !(ExcessParts(c, out double equity, out double requirement) < 0 && equity < q * requirement))
            {
                CohortInt(PathState.RoundList, kept++) = c;
                continue;
            }
            if (A(BackstopState.Open, v) == 0 || !WithinBackstopCapital(c, Pd(_l.Backstop.Capital, v)))
            {
                _backstopExhausted = true;
                CohortInt(PathState.RoundList, kept++) = c; // the book liquidates it
                continue;
            }
            badDebt += TakeOverCohort(c);
        }
        if (badDebt > 0) CoverLosses(0, badDebt);
        return kept;
    }

    /// <summary>Whether the vault's inventory in every market cohort <paramref name="c"/> trades stays within its capital
    /// (|inventory| x mid &lt;= K) once it holds the cohort's positions and collateral.</summary>
    private readonly bool WithinBackstopCapital(int c, double capital)
    {
        double s = ScaleOf(c), k = CollateralScaleOf(c);
        int firstP = Pi(_l.PositionStart, c), endP = Pi(_l.PositionStart, c + 1);
        int firstJ = Pi(_l.CollateralStart, c), endJ = Pi(_l.CollateralStart, c + 1);
        for (int x = firstP; x < endP + (endJ - firstJ); x++)
        {
            int a = x < endP ? Pi(_l.PositionAsset, x) : Pi(_l.CollateralAsset, firstJ + x - endP);
            double units = 0; // what the cohort brings into market a
            for (int p = firstP; p < endP; p++) if (Pi(_l.PositionAsset, p) == a) units += s * Pd(_l.PositionUnits, p);
            for (int j = firstJ; j < endJ; j++) if (Pi(_l.CollateralAsset, j) == a) units += k * Pd(_l.CollateralUnits, j);
            if (Math.Abs(A(BackstopState.Inventory, a) + units * _bookMultiplier) * A(MarketState.Mid, a) > capital) return false;
        }
        return true;
    }

    /// <summary>The vault takes cohort <paramref name="c"/> over at the mids and closes it; returns the bad debt (USD, the
    /// account's negative value), which the cohort and its venue's round carry.</summary>
    private double TakeOverCohort(int c)
    {
        Materialize(c);
        double s = CohortReal(PathState.Scale, c), k = CohortReal(PathState.CollateralScale, c), bm = _bookMultiplier;
        double value = CohortReal(PathState.Balance, c) - s * Pd(_l.EntryValue, c), notional = 0;
        for (int p = Pi(_l.PositionStart, c); p < Pi(_l.PositionStart, c + 1); p++)
        {
            int a = Pi(_l.PositionAsset, p);
            double q = s * Pd(_l.PositionUnits, p), mid = A(MarketState.Mid, a);
            value += q * mid;
            notional += Math.Abs(q) * mid;
            A(SettlementState.Liquidated, a) += Math.Abs(q) * mid * bm;
            A(SettlementState.ClosedUnits, a) += Math.Abs(q);
            A(BackstopState.Inventory, a) += q * bm;
            A(BackstopState.Cash, a) -= q * bm * mid;
        }
        for (int j = Pi(_l.CollateralStart, c); j < Pi(_l.CollateralStart, c + 1); j++)
        {
            int a = Pi(_l.CollateralAsset, j);
            double units = k * Pd(_l.CollateralUnits, j), mid = A(MarketState.Mid, a);
            value += units * mid;
            A(BackstopState.Inventory, a) += units * bm;
            A(BackstopState.Cash, a) -= units * bm * mid;
        }
        // It paid nothing for what it took: its cash is minus the inventory's value at the mids, plus (in the first market
        // the cohort trades) the account's value, made whole by the bad debt when negative.
        A(BackstopState.Cash, Pi(_l.PositionAsset, Pi(_l.PositionStart, c))) += Math.Max(value, 0.0) * bm;
        double badDebt = Math.Max(-value, 0.0) * bm;
        _backstopTaken += notional * bm;
        _backstopTakeovers++;
        _liquidations++;
        CohortReal(PathState.LiquidatedNotional, c) += notional * bm;
        CohortReal(PathState.BadDebt, c) = badDebt;
        CohortReal(PathState.Scale, c) = 0;
        CohortReal(PathState.CollateralScale, c) = 0;
        CohortReal(PathState.Balance, c) = 0;
        CohortInt(PathState.Open, c) = 0;
        CohortInt(PathState.ForceClose, c) = 0;
        AddToVenueRound(c, 0, badDebt);
        return badDebt;
    }

    /// <summary>The loss waterfall after the fund (one venue): the vault absorbs bad debt up to what its loss limit leaves.</summary>
    [PhaseHook(nameof(OnLossAfterFund), Order = 10, Switch = "Backstop")]
    private double AbsorbAfterFund(double loss) => AbsorbAfterFund(loss, 0);

    /// <summary>Venue <paramref name="v"/>'s loss waterfall after its fund: its flow vault absorbs bad debt up to what its loss
    /// limit leaves (an account vault leaves it to ADL); returns what is left.</summary>
    private double AbsorbAfterFund(double loss, int v)
    {
        if (!HasBackstop(v) || Pd(_l.Backstop.Takeover, v) > 0 || loss <= 0) return loss;
        double absorb = Math.Min(loss, Math.Max(0.0, Pd(_l.Backstop.LossLimit, v) - BackstopLoss(v)));
        if (absorb < loss) _backstopExhausted = true;
        A(BackstopState.Absorbed, v) += absorb;
        return loss - absorb;
    }

    /// <summary>End of path: the vault's outputs (<see cref="BackstopOutput"/>).</summary>
    [PhaseHook(nameof(OnEndOfPath), Order = 60)]
    private readonly void WriteBackstopOutputs<TOD, TOI>(PathSlots<TOD, TOI> output)
        where TOD : struct, IModelArray<double>
        where TOI : struct, IModelArray<int>
    {
        double pnl = 0, inventory = 0, absorbed = 0;
        if (_l.Backstop.On != 0)
        {
            pnl = MarkToMarket(BackstopState.Inventory, BackstopState.Cash, out inventory);
            for (int v = 0; v < (_l.Venues.On != 0 ? _l.Venues.Count : 1); v++) absorbed += A(BackstopState.Absorbed, v);
        }
        pnl -= absorbed;
        output.R(BackstopOutput.Pnl) = pnl;
        output.R(BackstopOutput.Loss) = -pnl;
        output.R(BackstopOutput.Taken) = _backstopTaken;
        output.R(BackstopOutput.Absorbed) = absorbed;
        output.R(BackstopOutput.Inventory) = inventory;
        output.R(BackstopOutput.Exhausted) = _backstopExhausted ? 1 : 0;
        output.R(BackstopOutput.Takeovers) = _backstopTakeovers;
    }
}

/// <summary>The backstops in the plan (docs/model.md section 8.11): per venue (one entry with one venue), whether it has a
/// vault and the vault's rules.</summary>
[PlanParams("Backstop")]
public struct BackstopParams
{
    /// <summary>Some venue has a vault (0 or 1); some vault takes over accounts (0 or 1).</summary>
    public int On, AnyTakeover;
    /// <summary>Offset of the per-venue integers: the venue has a vault (0 or 1).</summary>
    public int VenueOn;
    /// <summary>Offsets of the per-venue reals: sigma = -ln(1 - s), the discount d, the capital K (USD), the loss limit
    /// min(K, M) (USD; +infinity: none), the share of its inventory it unwinds each step, 1 - exp(-u dt), and the takeover
    /// share q (0: it takes flow; q &gt; 0: it takes over accounts whose equity is below q times their requirement).</summary>
    public int LogSlippage, Discount, Capital, LossLimit, UnwindShare, Takeover;
}

/// <summary>Per-asset state of the backstop: its inventory (units, signed), cash (USD), the round's taken flow and the
/// mid the round started from; per venue (venue v at index v): the bad debt its vault absorbed, and whether it is open
/// to takeovers in the current round.</summary>
[StateBlock(8)]
public static partial class BackstopState
{
    /// <summary>Per-asset fields, then per-venue ones.</summary>
    public const int Inventory = First, Cash = First + 1, Taken = First + 2, RoundMid = First + 3, Absorbed = First + 4, Open = First + 5;

    /// <summary>How many per-asset fields the mechanism needs.</summary>
    public const int Fields = 6;
}

/// <summary>The backstop's per-path outputs (slots of <see cref="PathOutput"/>), summed over assets.</summary>
[OutputBlock(5)]
public static partial class BackstopOutput
{
    /// <summary>P&amp;L (USD, bad debt absorbed included), its negative, the notional taken (USD at its price), the bad debt
    /// absorbed, the inventory at the final mids, whether its capital or loss limit bound (0/1), the cohorts it took over.</summary>
    public const int Pnl = First, Loss = First + 1, Taken = First + 2, Absorbed = First + 3, Inventory = First + 4, Exhausted = First + 5,
        Takeovers = First + 6;

    /// <summary>Slots.</summary>
    public const int Fields = 7;
}
