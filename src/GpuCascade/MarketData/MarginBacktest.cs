using System.Collections.Immutable;
using System.Globalization;
using GpuCascade.Prices;
using MathNet.Numerics.Distributions;

namespace GpuCascade.MarketData;

/// <summary>How a margin is set each day, as a fraction of the position's notional (docs/market-data.md, "Margin backtests").</summary>
public abstract record MarginModel
{
    /// <summary>The margins for the day-end prices <paramref name="closes"/> (oldest first), a long's (the fall it covers)
    /// and a short's (the rise): margin t may use closes up to t only. NaN while the model has too little history.</summary>
    public abstract (double[] Long, double[] Short) Margins(double[] closes, double z, double horizonDays);

    /// <summary>Parses <c>fixed:F</c>, <c>ewma[:LAMBDA]</c> or <c>table:FILE</c> (a <c>calibrate --json</c> result, whose
    /// margin table is read for <paramref name="symbol"/>).</summary>
    /// <exception cref="FormatException">Any other text, with what is accepted.</exception>
    /// <exception cref="PriceFileException">A table file that cannot be read or has no row for the symbol.</exception>
    public static MarginModel Parse(string text, string? symbol = null)
    {
        string t = text.Trim();
        int colon = t.IndexOf(':', StringComparison.Ordinal);
        string kind = colon < 0 ? t : t[..colon], argument = colon < 0 ? "" : t[(colon + 1)..];
        bool Number(out double value) => double.TryParse(argument, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        return kind switch
        {
            "fixed" when Number(out double f) && f is > 0 and < 1 => new FixedMargin(f),
            "fixed" => throw new FormatException($"fixed:F needs F in (0, 1), a fraction of notional, got {Operations.Echo.Quote(argument)}"),
            "ewma" when argument.Length == 0 => new EwmaMargin(),
            "ewma" when Number(out double l) && l is > 0 and < 1 => new EwmaMargin(l),
            "ewma" => throw new FormatException($"ewma:LAMBDA needs LAMBDA in (0, 1), got {Operations.Echo.Quote(argument)}"),
            "table" when argument.Length > 0 && symbol is not null => TableMargin.Read(argument, symbol),
            "table" => throw new FormatException("table:FILE needs the calibrate --json result FILE (and the prices' symbol)"),
            _ => throw new FormatException($"a margin rule is fixed:F (a fraction of notional), ewma[:LAMBDA] (z sigma_EWMA sqrt(horizon)) or table:FILE (calibrate's margin table), got {Operations.Echo.Quote(text)}"),
        };
    }
}

/// <summary>The same margin every day.</summary>
/// <param name="Fraction">The margin, a fraction of notional in (0, 1).</param>
public sealed record FixedMargin(double Fraction) : MarginModel
{
    /// <inheritdoc/>
    public override (double[] Long, double[] Short) Margins(double[] closes, double z, double horizonDays)
    {
        double[] m = [.. closes.Select(_ => Fraction)];
        return (m, m);
    }

    /// <inheritdoc/>
    public override string ToString() => $"fixed {Fraction.ToString("G4", CultureInfo.InvariantCulture)}";
}

/// <summary>
/// An EWMA-scaled margin: the log move <c>q = z sigma_t sqrt(h)</c> as a fall for a long, <c>1 - exp(-q)</c>, and as a
/// rise for a short, <c>exp(q) - 1</c>; sigma_t the EWMA volatility of the daily log returns up to day t
/// (<c>sigma^2 &lt;- lam sigma^2 + (1 - lam) r^2</c>, seeded with the first <see cref="WarmUp"/> returns' mean square,
/// which are not backtested), h the close-out horizon in days.
/// </summary>
/// <param name="Lambda">The decay per day [0.94].</param>
public sealed record EwmaMargin(double Lambda = 0.94) : MarginModel
{
    /// <summary>Returns that seed the EWMA before its first margin.</summary>
    public const int WarmUp = 30;

    /// <inheritdoc/>
    public override (double[] Long, double[] Short) Margins(double[] closes, double z, double horizonDays) =>
        Sides([.. Sigmas(closes, Lambda).Select(s => z * s * Math.Sqrt(horizonDays))]);

    /// <summary>Log moves <paramref name="q"/> as margins: a long's fall <c>1 - exp(-q)</c> and a short's rise
    /// <c>exp(q) - 1</c> (NaN stays NaN).</summary>
    internal static (double[] Long, double[] Short) Sides(double[] q) => ([.. q.Select(x => 1 - Math.Exp(-x))], [.. q.Select(x => Math.Exp(x) - 1)]);

    /// <summary>The EWMA daily volatility at each day's close (NaN during the warm-up).</summary>
    internal static double[] Sigmas(double[] closes, double lambda)
    {
        var sigma = new double[closes.Length];
        Array.Fill(sigma, double.NaN);
        if (closes.Length <= WarmUp + 1) return sigma;
        double v = 0;
        for (int t = 1; t <= WarmUp; t++) v += Square(Math.Log(closes[t] / closes[t - 1])) / WarmUp;
        sigma[WarmUp] = Math.Sqrt(v);
        for (int t = WarmUp + 1; t < closes.Length; t++)
        {
            v = lambda * v + (1 - lambda) * Square(Math.Log(closes[t] / closes[t - 1]));
            sigma[t] = Math.Sqrt(v);
        }
        return sigma;
    }

    private static double Square(double x) => x * x;

    /// <inheritdoc/>
    public override string ToString() => $"ewma lambda {Lambda.ToString("G4", CultureInfo.InvariantCulture)}";
}

/// <summary>
/// The engine's calibrated margin table as a rule (<c>calibrate --regimes ... --json</c>): each day the regime whose
/// volatility for the asset is nearest (in log) to the EWMA volatility then (annualised, sqrt(365) a day) sets the margin,
/// the value calibrated for it, both sides.
/// </summary>
/// <param name="Rows">The regimes with a chosen value: their volatility for the asset (annualised) and the margin.</param>
/// <param name="Lambda">The EWMA's decay per day [0.94].</param>
public sealed record TableMargin(ImmutableArray<(string Regime, double Volatility, double Margin)> Rows, double Lambda = 0.94) : MarginModel
{
    /// <summary>The margin table of a <c>calibrate --json</c> result for <paramref name="symbol"/>.</summary>
    /// <exception cref="PriceFileException">Unreadable, not a calibration result, or no regime with a chosen value and a
    /// volatility for the symbol.</exception>
    public static TableMargin Read(string file, string symbol)
    {
        string text;
        try
        {
            text = Operations.InputFile.ReadText(file, "calibration result", Operations.InputFile.MaxJsonBytes);
        }
        catch (Operations.InputFileException e)
        {
            throw new PriceFileException(e.Message);
        }
        var rows = ImmutableArray.CreateBuilder<(string, double, double)>();
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(text);
            if (!doc.RootElement.TryGetProperty("marginTable", out var table) || table.ValueKind != System.Text.Json.JsonValueKind.Array)
                throw new PriceFileException($"{Operations.Echo.Path(file)}: no marginTable (write it with calibrate --regimes ... --json)");
            foreach (var row in table.EnumerateArray())
                if (row.TryGetProperty("chosen", out var chosen) && chosen.ValueKind == System.Text.Json.JsonValueKind.Number
                    && row.TryGetProperty("volatility", out var vols) && vols.TryGetProperty(symbol, out var vol) && vol.ValueKind == System.Text.Json.JsonValueKind.Number)
                    rows.Add((row.TryGetProperty("regime", out var r) ? r.GetString() ?? "" : "", vol.GetDouble(), chosen.GetDouble()));
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new PriceFileException($"{Operations.Echo.Path(file)}: not JSON ({e.Message})");
        }
        if (rows.Count == 0)
            throw new PriceFileException($"{Operations.Echo.Path(file)}: no regime of its marginTable has a chosen value and a volatility for {symbol}");
        return new TableMargin(rows.ToImmutable());
    }

    /// <inheritdoc/>
    public override (double[] Long, double[] Short) Margins(double[] closes, double z, double horizonDays)
    {
        double[] m = [.. EwmaMargin.Sigmas(closes, Lambda).Select(s => double.IsNaN(s) ? double.NaN
            : Rows.MinBy(row => Math.Abs(Math.Log(s * Math.Sqrt(365) / row.Volatility))).Margin)];
        return (m, m);
    }

    /// <inheritdoc/>
    public override string ToString() =>
        "table " + string.Join(", ", Rows.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Regime} (vol {r.Volatility:G3}) {r.Margin:G4}")));
}

/// <summary>EMIR's anti-procyclicality tools (Commission Delegated Regulation (EU) 153/2013, Article 28), one at a time.</summary>
public enum AntiProcyclicality
{
    /// <summary>The rule's margin as it is.</summary>
    None,
    /// <summary>A buffer of 25%: 1.25 times the margin, drawn down while the margin rises (the posted margin stays put
    /// until the rule's margin passes it) and rebuilt when it falls.</summary>
    Buffer,
    /// <summary>A floor: at least the margin over a 10-year look-back (the rule on the volatility of the last 10 years'
    /// returns, or all there are).</summary>
    TenYearFloor,
    /// <summary>A 25% weight on stressed observations: 0.75 times the margin plus 0.25 times the highest margin of the
    /// look-back (10 years).</summary>
    StressedWeight,
}

/// <summary>The names of <see cref="AntiProcyclicality"/>'s tools in the backtest's outputs.</summary>
internal static class AntiProcyclicalityNames
{
    /// <summary>The tool's key: a CSV column's suffix and the JSON's <c>tool</c> (<c>none</c>, <c>buffer</c>, <c>floor</c>,
    /// <c>stressed</c>).</summary>
    public static string Key(this AntiProcyclicality tool) => tool switch
    {
        AntiProcyclicality.None => "none",
        AntiProcyclicality.Buffer => "buffer",
        AntiProcyclicality.TenYearFloor => "floor",
        AntiProcyclicality.StressedWeight => "stressed",
        _ => tool.ToString(),
    };

    /// <summary>The tool as the table names it (<c>25% buffer</c>, <c>10y floor</c>).</summary>
    public static string Label(this AntiProcyclicality tool) => tool switch
    {
        AntiProcyclicality.None => "none",
        AntiProcyclicality.Buffer => "25% buffer",
        AntiProcyclicality.TenYearFloor => "10y floor",
        AntiProcyclicality.StressedWeight => "stressed 25%",
        _ => tool.ToString(),
    };
}

/// <summary>A likelihood-ratio test's statistic and p-value.</summary>
/// <param name="Statistic">The LR statistic.</param>
/// <param name="PValue">Its chi-square upper tail.</param>
public readonly record struct LikelihoodRatio(double Statistic, double PValue);

/// <summary>The Basel traffic-light zone of an exceedance count.</summary>
public enum TrafficLight
{
    /// <summary>The count's cumulative binomial probability is below 95%.</summary>
    Green,
    /// <summary>From 95% to below 99.99%.</summary>
    Yellow,
    /// <summary>99.99% or more.</summary>
    Red,
}

/// <summary>One side's backtest: exceedances and the coverage tests.</summary>
/// <param name="Days">Days backtested.</param>
/// <param name="Exceedances">Days the move over the horizon went beyond the margin.</param>
/// <param name="Kupiec">Kupiec's proportion of failures.</param>
/// <param name="Independence">Christoffersen's independence.</param>
/// <param name="ConditionalCoverage">Christoffersen's conditional coverage (both at once).</param>
/// <param name="Zone">The Basel traffic-light zone.</param>
public sealed record CoverageTest(int Days, int Exceedances, LikelihoodRatio Kupiec, LikelihoodRatio Independence,
    LikelihoodRatio ConditionalCoverage, TrafficLight Zone);

/// <summary>One side's margins under one tool: the coverage tests, the procyclicality and the cost.</summary>
/// <param name="Coverage">The exceedances (a long's: the fall beyond its margin; a short's: the rise) and the tests.</param>
/// <param name="PeakToTrough">The largest daily margin over the smallest, from the first backtested day.</param>
/// <param name="Largest30DayIncrease">The largest rise of the daily margin over 30 days, relative (0.5 is +50%).</param>
/// <param name="MeanMargin">The mean daily margin (its cost).</param>
/// <param name="Margins">The margin of each backtested window.</param>
public sealed record SideBacktest(CoverageTest Coverage, double PeakToTrough, double Largest30DayIncrease, double MeanMargin,
    ImmutableArray<double> Margins);

/// <summary>One anti-procyclicality tool's backtest: a long's and a short's.</summary>
/// <param name="Tool">The tool applied.</param>
/// <param name="Long">A long position's.</param>
/// <param name="Short">A short position's.</param>
public sealed record BacktestVariant(AntiProcyclicality Tool, SideBacktest Long, SideBacktest Short);

/// <summary>A margin backtest of one price series.</summary>
/// <param name="Symbol">The asset.</param>
/// <param name="Source">The file.</param>
/// <param name="Model">The margin rule.</param>
/// <param name="Confidence">The confidence the margin aims at, per side.</param>
/// <param name="HorizonDays">The close-out horizon in days.</param>
/// <param name="Dates">The backtested days: each window's first, the windows not overlapping.</param>
/// <param name="Moves">Each day's move over the horizon, <c>P(t + h) / P(t) - 1</c>.</param>
/// <param name="Variants">The rule alone, then with each anti-procyclicality tool.</param>
public sealed record BacktestResult(string Symbol, string Source, MarginModel Model, double Confidence, double HorizonDays,
    ImmutableArray<DateTimeOffset> Dates, ImmutableArray<double> Moves, ImmutableArray<BacktestVariant> Variants)
{
    /// <summary>The price file's SHA-256 (<see cref="PriceSeries.Sha256"/>); null when the series was not read from a file.</summary>
    public string? SourceSha256 { get; init; }
}

/// <summary>
/// Backtests a margin rule on daily prices (docs/market-data.md, "Margin backtests"): each day's margin against the
/// realised move over the close-out horizon, for a long and a short position; Kupiec's and Christoffersen's tests, the
/// Basel traffic light, and the margin's procyclicality with and without EMIR's anti-procyclicality tools.
/// </summary>
public static class MarginBacktest
{
    /// <summary>Days in the look-back of the floor and the stressed weight.</summary>
    public const int LookBackDays = 3650;

    /// <summary>Backtests <paramref name="model"/> on <paramref name="prices"/> (daily: the series is taken at its last close
    /// of each UTC day) at <paramref name="confidence"/> per side over <paramref name="horizonDays"/> days, on windows that
    /// do not overlap (a margin every <paramref name="horizonDays"/> days; a gap skips to the next full window).</summary>
    /// <exception cref="PriceFileException">Fewer days than the rule's warm-up and the horizon need.</exception>
    public static BacktestResult Run(PriceSeries prices, MarginModel model, double confidence = 0.99, int horizonDays = 2)
    {
        if (!(confidence is > 0.5 and < 1)) throw new ArgumentOutOfRangeException(nameof(confidence), confidence, "must be in (0.5, 1)");
        if (horizonDays < 1) throw new ArgumentOutOfRangeException(nameof(horizonDays), horizonDays, "must be at least 1 day");
        var days = ReturnSeries.Daily(prices);
        double[] closes = [.. days.Select(d => d.Close)];
        if (closes.Skip(1).All(c => c == closes[0])) throw new PriceFileException($"{prices.Source}: the price never changes");
        double z = Normal.InvCDF(0, 1, confidence);
        var (longMargins, shortMargins) = model.Margins(closes, z, horizonDays);
        // Day t is backtested when it has a margin and a close h days later (consecutive days: a gap ends the window).
        // Windows do not overlap (each day's move ends where the next starts), so that the tests' independence holds.
        var tested = new List<int>();
        for (int t = 0; t + horizonDays < closes.Length; t++)
        {
            if (double.IsNaN(longMargins[t]) || (days[t + horizonDays].Date - days[t].Date).TotalDays != horizonDays) continue;
            if (tested.Count > 0 && (days[t].Date - days[tested[^1]].Date).TotalDays < horizonDays) continue;
            tested.Add(t);
        }
        if (tested.Count < 30)
            throw new PriceFileException($"{prices.Source}: {tested.Count} windows to backtest at a {horizonDays}-day horizon; at least 30 are needed");
        double[] moves = [.. tested.Select(t => closes[t + horizonDays] / closes[t] - 1)];
        var (tenYearLong, tenYearShort) = model is EwmaMargin ? LookBackMargins(closes, z, horizonDays) : (longMargins, shortMargins);
        SideBacktest Side(AntiProcyclicality tool, double[] rule, double[] tenYear, bool isLong)
        {
            double[] applied = Apply(tool, rule, tenYear);
            double[] m = [.. tested.Select(t => applied[t])];
            // Procyclicality and cost over every day with a margin, from the first backtested day.
            double[] daily = [.. applied.Skip(tested[0]).Where(x => !double.IsNaN(x))];
            bool[] exceeded = [.. moves.Select((x, k) => Exceeds(x, m[k], isLong))];
            return new SideBacktest(Coverage(exceeded, 1 - confidence), daily.Max() / daily.Min(), LargestIncrease(daily, 30), daily.Average(), [.. m]);
        }
        var variants = Enum.GetValues<AntiProcyclicality>()
            .Select(tool => new BacktestVariant(tool, Side(tool, longMargins, tenYearLong, true), Side(tool, shortMargins, tenYearShort, false)))
            .ToImmutableArray();
        return new BacktestResult(prices.Symbol, prices.Source, model, confidence, horizonDays, [.. tested.Select(t => days[t].Date)], [.. moves], variants)
        {
            SourceSha256 = prices.Sha256,
        };
    }

    /// <summary>Whether <paramref name="move"/> over a window went beyond <paramref name="margin"/>: a long's when it fell
    /// by more (<c>move &lt; -margin</c>), a short's when it rose by more (<c>move &gt; margin</c>).</summary>
    internal static bool Exceeds(double move, double margin, bool isLong) => isLong ? move < -margin : move > margin;

    /// <summary>Margins under an anti-procyclicality tool (<paramref name="lookBack"/>: the rule on the 10-year volatility).</summary>
    internal static double[] Apply(AntiProcyclicality tool, double[] margins, double[] lookBack)
    {
        var result = new double[margins.Length];
        double posted = double.NaN;
        for (int t = 0; t < margins.Length; t++)
        {
            double m = margins[t];
            result[t] = tool switch
            {
                AntiProcyclicality.None => m,
                AntiProcyclicality.Buffer => posted = double.IsNaN(posted) ? 1.25 * m : Math.Max(m, Math.Min(1.25 * m, posted)),
                AntiProcyclicality.TenYearFloor => Math.Max(m, lookBack[t]),
                AntiProcyclicality.StressedWeight => 0.75 * m + 0.25 * Highest(margins, t),
                _ => m,
            };
            if (double.IsNaN(m)) posted = double.NaN;
        }
        return result;
    }

    private static double Highest(double[] margins, int t)
    {
        double best = double.NaN;
        for (int s = Math.Max(0, t - LookBackDays + 1); s <= t; s++)
            if (!double.IsNaN(margins[s]) && !(margins[s] <= best)) best = margins[s];
        return best;
    }

    /// <summary>The rule on the volatility of the last 10 years' daily returns (all there are, at first).</summary>
    private static (double[] Long, double[] Short) LookBackMargins(double[] closes, double z, double horizonDays)
    {
        var q = new double[closes.Length];
        Array.Fill(q, double.NaN);
        double sum = 0;
        var squares = new double[closes.Length];
        for (int t = 1; t < closes.Length; t++)
        {
            squares[t] = Math.Pow(Math.Log(closes[t] / closes[t - 1]), 2);
            sum += squares[t];
            if (t > LookBackDays) sum -= squares[t - LookBackDays];
            int n = Math.Min(t, LookBackDays);
            if (t >= EwmaMargin.WarmUp) q[t] = z * Math.Sqrt(sum / n) * Math.Sqrt(horizonDays);
        }
        return EwmaMargin.Sides(q);
    }

    /// <summary>The largest relative rise of <paramref name="margins"/> (daily) over <paramref name="days"/> days:
    /// max over t of m(t) / m(t - days) - 1, 0 when it never rises.</summary>
    public static double LargestIncrease(IReadOnlyList<double> margins, int days)
    {
        double largest = 0;
        for (int t = days; t < margins.Count; t++) largest = Math.Max(largest, margins[t] / margins[t - days] - 1);
        return largest;
    }

    /// <summary>The coverage tests of a day-by-day exceedance record at exceedance probability <paramref name="p"/>.</summary>
    public static CoverageTest Coverage(IReadOnlyList<bool> exceeded, double p)
    {
        int days = exceeded.Count, count = exceeded.Count(x => x);
        var kupiec = Kupiec(days, count, p);
        var independence = Christoffersen(exceeded);
        double cc = kupiec.Statistic + independence.Statistic;
        return new CoverageTest(days, count, kupiec, independence, new LikelihoodRatio(cc, 1 - ChiSquared.CDF(2, cc)), Zone(days, count, p));
    }

    /// <summary>Kupiec's proportion-of-failures test: <c>LR = -2 ln[(1 - p)^(T - N) p^N] + 2 ln[(1 - N/T)^(T - N) (N/T)^N]</c>,
    /// chi-square with one degree of freedom.</summary>
    public static LikelihoodRatio Kupiec(int days, int exceedances, double p)
    {
        double rate = (double)exceedances / days;
        double lr = -2 * (LogPower(1 - p, days - exceedances) + LogPower(p, exceedances))
                    + 2 * (LogPower(1 - rate, days - exceedances) + LogPower(rate, exceedances));
        lr = Math.Max(0, lr);
        return new LikelihoodRatio(lr, 1 - ChiSquared.CDF(1, lr));
    }

    /// <summary>Christoffersen's independence test: a first-order Markov chain of exceedances against independence,
    /// chi-square with one degree of freedom.</summary>
    public static LikelihoodRatio Christoffersen(IReadOnlyList<bool> exceeded)
    {
        int n00 = 0, n01 = 0, n10 = 0, n11 = 0;
        for (int t = 1; t < exceeded.Count; t++)
        {
            if (!exceeded[t - 1]) { if (exceeded[t]) n01++; else n00++; }
            else { if (exceeded[t]) n11++; else n10++; }
        }
        double pi = (double)(n01 + n11) / Math.Max(1, n00 + n01 + n10 + n11);
        double pi01 = n00 + n01 == 0 ? 0 : (double)n01 / (n00 + n01), pi11 = n10 + n11 == 0 ? 0 : (double)n11 / (n10 + n11);
        double lr = -2 * (LogPower(1 - pi, n00 + n10) + LogPower(pi, n01 + n11))
                    + 2 * (LogPower(1 - pi01, n00) + LogPower(pi01, n01) + LogPower(1 - pi11, n10) + LogPower(pi11, n11));
        lr = Math.Max(0, lr);
        return new LikelihoodRatio(lr, 1 - ChiSquared.CDF(1, lr));
    }

    /// <summary>The Basel traffic light (1996's framework, generalised to any number of days): green while the count's
    /// cumulative binomial probability is below 95%, yellow below 99.99%, red from there (for 250 days at 1%: green up
    /// to 4, red from 10); no exceedance is always green.</summary>
    public static TrafficLight Zone(int days, int exceedances, double p)
    {
        if (exceedances == 0) return TrafficLight.Green; // with few expected, P(X <= 0) alone can pass 95%
        double cumulative = Binomial.CDF(p, days, exceedances);
        return cumulative < 0.95 ? TrafficLight.Green : cumulative < 0.9999 ? TrafficLight.Yellow : TrafficLight.Red;
    }

    /// <summary><c>n ln x</c> with <c>0 ln 0 = 0</c>.</summary>
    private static double LogPower(double x, int n) => n == 0 ? 0 : n * Math.Log(x);
}
