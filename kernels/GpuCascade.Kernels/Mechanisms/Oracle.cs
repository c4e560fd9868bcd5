using GpuCascade.Market;

namespace GpuCascade.Kernels;

/// <summary>The oracle mechanism's hooks: the delayed oracle of docs/model.md section 5 (item 1), and the oracle pipeline of
/// section 8.10 (feeds, their median, a TWAP, a mark), which replaces it when a scenario has <c>venue.oracle</c>. With
/// several venues (section 9) each venue's markets read its own: its pipeline (its own feeds, TWAP and mark), or its
/// delayed or live oracle.</summary>
public partial struct CascadePath<TD, TI, TSD, TSI, TP>
{
    // docs/model.md section 8.10: the path's largest |ln(O/P)| and |ln(O/F)|, its liquidations in manipulated steps, the
    // liquidations counted before the step's rounds, and whether a manipulation window is open in the step.
    private double _oracleMaxGap, _oracleMaxError, _oracleManipulated;
    private long _liquidationsBeforeStep;
    private bool _oracleWindowOpen;

    /// <summary>Start of path: the delayed oracle's history holds the starting prices; the pipeline's rings, last reports and
    /// basis start at the starting prices (0 for the basis).</summary>
    [PhaseHook(nameof(OnStartOfPath), Order = 30)]
    private void StartOracle()
    {
        int n = _n;
        for (int slot = 0; slot < _l.Oracle.Delay; slot++)
            for (int i = 0; i < n; i++) _m.R(_l.HistorySlot + slot * n + i) = Pd(_l.LogPrice0, i);
        _oracleMaxGap = 0;
        _oracleMaxError = 0;
        _oracleManipulated = 0;
        _oracleWindowOpen = false;
        if (_l.OracleFeeds.On == 0) return;
        int region = _l.MechanismSlot, feeds = _l.OracleFeeds.Feeds;
        StartOracleRing(region + _l.OracleFeeds.IndexRing, _l.OracleFeeds.IndexRingSteps);
        StartOracleRing(region + _l.OracleFeeds.TradedRing, _l.OracleFeeds.TradedRingSteps);
        StartOracleRing(region + _l.OracleFeeds.TwapRing, _l.OracleFeeds.TwapRows);
        StartOracleRing(region + _l.OracleFeeds.LastReports, feeds);
        for (int i = 0; i < n; i++)
        {
            A(OracleState.Basis, i) = 0;
            A(OracleState.TwapSum, i) = 0;
        }
    }

    /// <summary>Each of <paramref name="rows"/> rows of N log prices from <paramref name="first"/>: the starting log prices.</summary>
    private readonly void StartOracleRing(int first, int rows)
    {
        int n = _n;
        for (int k = 0; k < rows; k++)
            for (int i = 0; i < n; i++) _m.R(first + k * n + i) = Pd(_l.LogPrice0, i);
    }

    /// <summary>The oracle for the step, after the market move: with a delay d, the end price of step k - d (the live
    /// oracle is refreshed every round instead).</summary>
    [PhaseHook(nameof(OnMarketMoved), Order = 10)]
    private readonly void ObserveOracle(int step)
    {
        int delay = _l.Oracle.Delay;
        if (delay == 0) return;
        TP real = default;
        int n = _n;
        if (_l.Venues.MixedOracle != 0)
        {
            // Several venues with their own delays d_v <= d (docs/model.md section 9): the ring holds the last d step-end
            // prices, so a market of venue v reads step k - d_v's (a slot not written yet holds the starting price); d_v = 0
            // is live.
            for (int i = 0; i < n; i++)
            {
                int own = Pi(_l.Venues.OracleDelay, i / _l.Venues.Underlyings);
                A(OracleState.Price, i) = own == 0 ? A(MarketState.Mid, i)
                    : real.Exp(real.Hold(_m.R(_l.HistorySlot + ((step - own) % delay + delay) % delay * n + i)));
            }
            return;
        }
        int slot = step % delay;
        for (int i = 0; i < n; i++) A(OracleState.Price, i) = real.Exp(real.Hold(_m.R(_l.HistorySlot + slot * n + i)));
    }

    /// <summary>End of step, with a delay: the step's end price (log) joins the history, in the slot step k + d reads.</summary>
    [PhaseHook(nameof(OnEndOfStep), Order = 30)]
    private readonly void RecordOracleHistory(int step)
    {
        if (_l.Oracle.Delay == 0) return;
        int n = _n;
        int slot = step % _l.Oracle.Delay;
        for (int i = 0; i < n; i++)
            _m.R(_l.HistorySlot + slot * n + i) = LogMid(i);
    }

    /// <summary>The oracle price margins are checked at, refreshed before each round's candidates, at the round-cap check
    /// and before the step-end queue: the pipeline when the venue has one, the current mids when the oracle is live, and
    /// nothing for a delayed oracle (fixed once per step, <see cref="ObserveOracle"/>).</summary>
    private void RefreshOracle(int step)
    {
        if (_l.OracleFeeds.On != 0)
        {
            RefreshOraclePipeline(step, track: true);
            if (_l.OracleFeeds.EveryVenue != 0) return;
        }
        else if (_l.Oracle.Delay == 0)
        {
            RefreshLiveOracle();
            return;
        }
        // Several venues, some without a pipeline: those markets' live mid, or their delayed price (fixed once per step).
        if (_l.Oracle.Delay == 0 || _l.Venues.MixedOracle != 0)
            for (int i = 0; i < _n; i++)
                if (!HasPipeline(MarketVenue(i)) && (_l.Oracle.Delay == 0 || Pi(_l.Venues.OracleDelay, i / _l.Venues.Underlyings) == 0))
                    A(OracleState.Price, i) = A(MarketState.Mid, i);
    }

    /// <summary>The live oracle: the current mids (the opening round, and every refresh without a pipeline or delay).</summary>
    private readonly void RefreshLiveOracle()
    {
        for (int i = 0; i < _n; i++) A(OracleState.Price, i) = A(MarketState.Mid, i);
    }

    // ------------------------------------------------------------------ the pipeline (docs/model.md section 8.10)

    /// <summary>Whether venue <paramref name="v"/> (0 with one venue) has a pipeline: feeds of its own.</summary>
    private readonly bool HasPipeline(int v) =>
        _l.OracleFeeds.On != 0 && Pi(_l.OracleFeeds.FeedStart, v + 1) > Pi(_l.OracleFeeds.FeedStart, v);

    /// <summary>The first market of venue <paramref name="v"/> and the one past its last (every asset with one venue).</summary>
    private readonly void VenueMarkets(int v, out int from, out int to)
    {
        from = 0;
        to = _n;
        if (_l.Venues.On == 0) return;
        from = v * _l.Venues.Underlyings;
        to = from + _l.Venues.Underlyings;
    }

    /// <summary>Whether feed <paramref name="j"/>'s manipulation window covers <paramref name="step"/> for asset
    /// <paramref name="i"/>, and of which kind (1 bias, 2 stale; 0 none).</summary>
    private readonly int ManipulationOf(int j, int i, int step)
    {
        int kind = Pi(_l.OracleFeeds.WindowKind, j);
        if (kind == 0 || step < Pi(_l.OracleFeeds.WindowFrom, j) || step > Pi(_l.OracleFeeds.WindowTo, j)) return 0;
        int asset = Pi(_l.OracleFeeds.WindowAsset, j);
        return asset < 0 || asset == i ? kind : 0;
    }

    /// <summary>Whether feed <paramref name="j"/> reads the current mid at every refresh (a traded feed without latency,
    /// not stale for asset <paramref name="i"/> in <paramref name="step"/>): its fixed reading is then only its offset.</summary>
    private readonly bool LiveFeed(int j, int i, int step) =>
        Pi(_l.OracleFeeds.Source, j) == OracleFeedsParams.TradedSource && Pi(_l.OracleFeeds.Latency, j) == 0
        && ManipulationOf(j, i, step) != OracleFeedsParams.StaleWindow;

    /// <summary>
    /// After the market move (before other participants trade): each feed's reading of each asset for the step,
    /// <c>v = ln S(t - L) + (ln(1 + x) [in its window] + s z)</c>, or its last report while stale; a live traded feed keeps
    /// only the offset in brackets. Also the TWAP ring's sum (in slot order) and the liquidations counted so far.
    /// </summary>
    [PhaseHook(nameof(OnMarketMoved), Order = 10, Switch = "OracleFeeds")]
    private void ReadOracleFeeds(int step)
    {
        if (_l.OracleFeeds.On == 0) return;
        int n = _n, feeds = _l.OracleFeeds.Feeds, region = _l.MechanismSlot;
        int readings = region + _l.OracleFeeds.Readings, reports = region + _l.OracleFeeds.LastReports;
        _liquidationsBeforeStep = _liquidations;
        _oracleWindowOpen = false;
        for (int j = 0; j < feeds; j++)
            if (Pi(_l.OracleFeeds.WindowKind, j) != 0 && step >= Pi(_l.OracleFeeds.WindowFrom, j) && step <= Pi(_l.OracleFeeds.WindowTo, j))
                _oracleWindowOpen = true;
        int twapRows = _l.OracleFeeds.TwapRows, twap = region + _l.OracleFeeds.TwapRing;
        if (twapRows > 0)
            for (int i = 0; i < n; i++)
            {
                int v = MarketVenue(i), own = Pi(_l.OracleFeeds.TwapSteps, v) - 1; // this venue's last Ws - 1 step-end ln I
                if (!HasPipeline(v) || own <= 0) continue;
                // The step-end ln I of steps step - own .. step - 1, in the slot order of a ring of its own length (the ring holds
                // the longest TWAP's rows), so that the sum is the one the venue alone makes; before the start, the start's.
                double sum = 0;
                for (int k = 0; k < own; k++)
                {
                    int ended = step - own + ((k - (step - own)) % own + own) % own;
                    sum += _m.R(twap + (ended % twapRows + twapRows) % twapRows * n + i);
                }
                A(OracleState.TwapSum, i) = sum;
            }
        for (int j = 0; j < feeds; j++)
        {
            VenueMarkets(Pi(_l.OracleFeeds.FeedVenue, j), out int from, out int to); // a feed reads its venue's markets
            int source = Pi(_l.OracleFeeds.Source, j), latency = Pi(_l.OracleFeeds.Latency, j);
            double noise = Pd(_l.OracleFeeds.Noise, j), logBias = Pd(_l.OracleFeeds.LogBias, j);
            int ringSteps = source == OracleFeedsParams.TradedSource ? _l.OracleFeeds.TradedRingSteps : _l.OracleFeeds.IndexRingSteps;
            int ring = region + (source == OracleFeedsParams.TradedSource ? _l.OracleFeeds.TradedRing : _l.OracleFeeds.IndexRing);
            // The slot that holds the step-end price of step - L (a slot never written yet holds the starting price).
            int lagged = latency > 0 ? ((step - latency) % ringSteps + ringSteps) % ringSteps : 0;
            for (int b = from - from % 4; b < to; b += 4)
            {
                // Four assets' normals per slot, as the step's normals (docs/model.md section 1); never drawn without noise.
                double z0 = 0, z1 = 0, z2 = 0, z3 = 0;
                if (noise > 0)
                {
                    RandomStreams.Words(_l.Seed, _path, (uint)step, RandomStreams.OracleNoiseSlotBase + 0x10000u * (uint)j + (uint)(b / 4),
                        out uint r0, out uint r1, out uint r2, out uint r3);
                    RandomStreams.BoxMuller(r0, r1, out z0, out z1);
                    RandomStreams.BoxMuller(r2, r3, out z2, out z3);
                }
                for (int i = Math.Max(b, from); i < to && i < b + 4; i++)
                {
                    int kind = ManipulationOf(j, i, step);
                    if (kind == OracleFeedsParams.StaleWindow)
                    {
                        _m.R(readings + j * n + i) = _m.R(reports + j * n + i);
                        continue;
                    }
                    double z = i - b == 0 ? z0 : i - b == 1 ? z1 : i - b == 2 ? z2 : z3;
                    double offset = (kind == OracleFeedsParams.BiasWindow ? logBias : 0.0) + noise * z;
                    double reading;
                    if (latency > 0) reading = _m.R(ring + lagged * n + i) + offset;
                    else if (source == OracleFeedsParams.TradedSource) reading = offset; // the mid joins it at each refresh
                    else reading = A(MarketState.XExogenous, i) + offset;
                    _m.R(readings + j * n + i) = reading;
                }
            }
        }
    }

    /// <summary>
    /// Asset <paramref name="i"/>'s index now, <c>ln I = median_j v_j</c> (the mean of the middle two for an even count),
    /// from the step's readings and, for live feeds, the current log mid <paramref name="logMid"/>. With
    /// <paramref name="report"/>, each reading that is not stale becomes its feed's last report.
    /// </summary>
    private readonly double OracleIndex(int i, int step, double logMid, bool report)
    {
        int n = _n, venue = MarketVenue(i), first = Pi(_l.OracleFeeds.FeedStart, venue), feeds = Pi(_l.OracleFeeds.FeedStart, venue + 1) - first;
        int region = _l.MechanismSlot;
        int readings = region + _l.OracleFeeds.Readings, reports = region + _l.OracleFeeds.LastReports, scratch = region + _l.OracleFeeds.Scratch;
        for (int f = 0; f < feeds; f++)
        {
            int j = first + f; // its venue's feeds (all of them with one venue)
            bool live = LiveFeed(j, i, step);
            double v = _m.R(readings + j * n + i);
            if (live) v = logMid + v;
            if (report && ManipulationOf(j, i, step) != OracleFeedsParams.StaleWindow) _m.R(reports + j * n + i) = v;
            if (feeds == 1) return v;
            // Insertion into the sorted scratch.
            int k = f;
            while (k > 0 && _m.R(scratch + k - 1) > v)
            {
                _m.R(scratch + k) = _m.R(scratch + k - 1);
                k--;
            }
            _m.R(scratch + k) = v;
        }
        int middle = feeds / 2;
        return (feeds & 1) != 0 ? _m.R(scratch + middle) : 0.5 * (_m.R(scratch + middle - 1) + _m.R(scratch + middle));
    }

    /// <summary>The reference: the index, or its TWAP over the window, <c>ln R = (ln I + the last Ws - 1 step-end ln I) / Ws</c>.</summary>
    private readonly double OracleReference(int i, double logIndex)
    {
        int steps = Pi(_l.OracleFeeds.TwapSteps, MarketVenue(i));
        return steps > 1 ? (logIndex + A(OracleState.TwapSum, i)) / steps : logIndex;
    }

    /// <summary>
    /// The pipeline's refresh: per asset, the index, the reference and the oracle <c>ln O</c> (the mid clamped between
    /// <c>ln R</c> and <c>ln R + beta</c> with a mark, else <c>ln R</c>); the margins' price is <c>exp(hold(ln O))</c>.
    /// With <paramref name="track"/>, the path's largest gaps to the mid and to the exogenous price.
    /// </summary>
    private void RefreshOraclePipeline(int step, bool track)
    {
        TP real = default;
        int n = _n;
        for (int i = 0; i < n; i++)
        {
            int v = MarketVenue(i);
            if (!HasPipeline(v)) continue; // another venue's oracle (RefreshOracle)
            bool mark = Pi(_l.OracleFeeds.HasMark, v) != 0;
            double logMid = LogMid(i);
            double logReference = OracleReference(i, OracleIndex(i, step, logMid, report: false));
            double logOracle = logReference;
            if (mark)
            {
                double withBasis = logReference + A(OracleState.Basis, i);
                double low = Math.Min(logReference, withBasis), high = Math.Max(logReference, withBasis);
                logOracle = Math.Min(Math.Max(logMid, low), high);
            }
            logOracle = real.Hold(logOracle);
            A(OracleState.Price, i) = real.Exp(logOracle);
            if (!track) continue;
            double gap = Math.Abs(logOracle - logMid), error = Math.Abs(logOracle - A(MarketState.XExogenous, i));
            if (gap > _oracleMaxGap) _oracleMaxGap = gap;
            if (error > _oracleMaxError) _oracleMaxError = error;
        }
    }

    /// <summary>
    /// End of step, after the queue: at the step's end values, the basis <c>beta = lam beta + (1 - lam) ln(P / R)</c>,
    /// <c>ln I</c> into the TWAP ring, the exogenous and traded log prices into the latency rings, each reading that is not
    /// stale into its feed's last report; and the step's liquidations, when a manipulation window was open.
    /// </summary>
    [PhaseHook(nameof(OnEndOfStep), Order = 30, Switch = "OracleFeeds")]
    private void EndOracleStep(int step)
    {
        if (_l.OracleFeeds.On == 0) return;
        int n = _n, region = _l.MechanismSlot;
        int twapRows = _l.OracleFeeds.TwapRows, indexRows = _l.OracleFeeds.IndexRingSteps, tradedRows = _l.OracleFeeds.TradedRingSteps;
        for (int i = 0; i < n; i++)
        {
            double logMid = LogMid(i);
            int v = MarketVenue(i);
            if (HasPipeline(v))
            {
                double logIndex = OracleIndex(i, step, logMid, report: true);
                if (Pi(_l.OracleFeeds.HasMark, v) != 0)
                {
                    double lambda = Pd(_l.OracleFeeds.Lambda, v);
                    A(OracleState.Basis, i) = lambda * A(OracleState.Basis, i) + (1 - lambda) * (logMid - OracleReference(i, logIndex));
                }
                if (twapRows > 0) _m.R(region + _l.OracleFeeds.TwapRing + step % twapRows * n + i) = logIndex;
            }
            if (indexRows > 0) _m.R(region + _l.OracleFeeds.IndexRing + step % indexRows * n + i) = A(MarketState.XExogenous, i);
            if (tradedRows > 0) _m.R(region + _l.OracleFeeds.TradedRing + step % tradedRows * n + i) = logMid;
        }
        if (_oracleWindowOpen) _oracleManipulated += _liquidations - _liquidationsBeforeStep;
    }

    /// <summary>End of path: the oracle's largest gaps and the liquidations in manipulated steps (<see cref="OracleOutput"/>).</summary>
    [PhaseHook(nameof(OnEndOfPath), Order = 70)]
    private readonly void WriteOracleOutputs<TOD, TOI>(PathSlots<TOD, TOI> output)
        where TOD : struct, IModelArray<double>
        where TOI : struct, IModelArray<int>
    {
        output.R(OracleOutput.MaxGap) = _oracleMaxGap;
        output.R(OracleOutput.MaxError) = _oracleMaxError;
        output.R(OracleOutput.ManipulatedLiquidations) = _oracleManipulated;
    }
}

/// <summary>The oracle's parameters in the plan (docs/model.md section 5, item 1).</summary>
[PlanParams("Oracle")]
public struct OracleParams
{
    /// <summary>Delay in steps (0: live, refreshed every round).</summary>
    public int Delay;
}

/// <summary>The oracle pipeline in the plan (docs/model.md section 8.10): feeds, their median, a TWAP and a mark.</summary>
[PlanParams("OracleFeeds")]
public struct OracleFeedsParams
{
    /// <summary>A feed's source: the exogenous (index) price, or the venue's own mid.</summary>
    public const int IndexSource = 0, TradedSource = 1;

    /// <summary>A manipulation window's kind: none, a bias, a stale feed.</summary>
    public const int NoWindow = 0, BiasWindow = 1, StaleWindow = 2;

    /// <summary>Some venue has a pipeline (0 or 1); every venue has one (0 or 1); the feeds K of all venues together; the TWAP
    /// ring's rows (the longest TWAP's Ws - 1; 0: no TWAP).</summary>
    public int On, EveryVenue, Feeds, TwapRows;
    /// <summary>Offsets of the per-venue integers (one entry with one venue): where its feeds start (venues + 1 entries:
    /// venue v's feeds are FeedStart[v] to FeedStart[v + 1]), its TWAP's steps Ws (1: none), a mark (0 or 1).</summary>
    public int FeedStart, TwapSteps, HasMark;
    /// <summary>Offset of the per-venue reals: the basis's decay per step, lam = exp(-dt ln 2 / H).</summary>
    public int Lambda;
    /// <summary>Offsets of the per-feed integers: its venue, source, latency in steps, the window's kind, first and last step
    /// and market (-1: all of its venue's).</summary>
    public int FeedVenue, Source, Latency, WindowKind, WindowFrom, WindowTo, WindowAsset;
    /// <summary>Offsets of the per-feed reals: the noise s, the window's log bias ln(1 + x).</summary>
    public int Noise, LogBias;
    /// <summary>Rows (steps) of the index and traded latency rings (0: no feed of that source has a latency).</summary>
    public int IndexRingSteps, TradedRingSteps;
    /// <summary>Where each part starts in the mechanism region (relative to <see cref="PlanLayout.MechanismSlot"/>): the
    /// latency rings (rows x N), the TWAP ring ((Ws - 1) x N), the step's readings and the last reports (K x N each) and
    /// the median's scratch (K).</summary>
    public int IndexRing, TradedRing, TwapRing, Readings, LastReports, Scratch;
}

/// <summary>Per-asset state of the oracle: the price margins are checked at; with a pipeline, the mark's log basis and
/// the TWAP ring's sum for the step. The delayed oracle's history (delay x N log prices) is a region of its own
/// (<see cref="PlanLayout.HistorySlot"/>).</summary>
[StateBlock(3)]
public static partial class OracleState
{
    /// <summary>Per-asset fields.</summary>
    public const int Price = First, Basis = First + 1, TwapSum = First + 2;

    /// <summary>How many per-asset fields the oracle needs.</summary>
    public const int Fields = 3;

    /// <summary>Real slots of the delayed oracle's history.</summary>
    public static int HistorySlots(int assets, int delay) => delay * assets;
}

/// <summary>The oracle pipeline's per-path outputs (slots of <see cref="PathOutput"/>).</summary>
[OutputBlock(6)]
public static partial class OracleOutput
{
    /// <summary>The largest |ln(O/P)| and |ln(O/F)| over assets and refreshes, and the cohort liquidations in steps with a
    /// manipulation window open.</summary>
    public const int MaxGap = First, MaxError = First + 1, ManipulatedLiquidations = First + 2;

    /// <summary>Slots.</summary>
    public const int Fields = 3;
}
