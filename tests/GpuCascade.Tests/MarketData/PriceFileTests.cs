using GpuCascade.MarketData;
using GpuCascade.Prices;

namespace GpuCascade.Tests.MarketData;

/// <summary>The price files risk teams have (docs/market-data.md): banner lines, newest-first rows, gaps, exchange klines
/// without a header, epoch times in three units; and errors that name the file, line and column.</summary>
public class PriceFileTests
{
    private const string CryptoDataDownload = """
        https://www.CryptoDataDownload.com
        Unix,Date,Symbol,Open,High,Low,Close,Volume BTC,Volume USDT,tradecount
        1760140800000,2025-10-11,BTCUSDT,113000,113500,109000,110000,1,1,1
        1760054400000,2025-10-10,BTCUSDT,121000,122000,102000,113000,1,1,1
        1759881600000,2025-10-08,BTCUSDT,120000,124000,119000,121000,1,1,1
        """;

    [Test]
    public void ABannerAndNewestFirstRowsAreReadOldestFirst()
    {
        var s = PriceFile.Parse(CryptoDataDownload, "Binance_BTCUSDT_d.csv");
        Assert.That(s.Symbol, Is.EqualTo("BTC"), "from the symbol column");
        Assert.That(s.Closes, Is.EqualTo(new[] { 121000.0, 113000, 110000 }));
        Assert.That(s.Times[0], Is.EqualTo(new DateTimeOffset(2025, 10, 8, 0, 0, 0, TimeSpan.Zero)));
        Assert.That(s.Spacing, Is.EqualTo(TimeSpan.FromDays(1)), "the most common spacing; the missing 10-09 is a gap");
    }

    [Test]
    public void DateTimeColumnsKlinesAndEpochUnitsAreRead()
    {
        var kucoin = PriceFile.Parse("datetime,open,high,low,close,volume\n2025-10-10 20:00:00,1,1,1,116667.8,1\n2025-10-10 21:00:00,1,1,1,114287.3,1\n", "BTC_USDT_1h.csv");
        Assert.That((kucoin.Symbol, kucoin.Closes[1], kucoin.Times[1].Hour), Is.EqualTo(("BTC", 114287.3, 21)));
        // Binance's klines have no header; open times in milliseconds, and in microseconds since 2025.
        var ms = PriceFile.Parse("1760126400000,1,2,0.5,114287.3,9,1760129999999,0,0,0,0,0\n1760130000000,1,2,0.5,113500.1,9,1760133599999,0,0,0,0,0\n", "BTCUSDT-1h-2025-10.csv");
        var us = PriceFile.Parse("1760126400000000,1,2,0.5,114287.3,9\n1760130000000000,1,2,0.5,113500.1,9\n", "BTCUSDT-1h-2025-10.csv");
        var seconds = PriceFile.Parse("time,close\n1760126400,114287.3\n1760130000,113500.1\n", "x.csv", "BTC");
        Assert.That(ms.Times, Is.EqualTo(us.Times));
        Assert.That(ms.Times, Is.EqualTo(seconds.Times));
        Assert.That(ms.Times[0], Is.EqualTo(new DateTimeOffset(2025, 10, 10, 20, 0, 0, TimeSpan.Zero)));
        Assert.That(ms.Symbol, Is.EqualTo("BTC"), "from the file's name");
    }

    [Test]
    public void CompactDatesAreDatesAndSmallNumbersAreNotEpochTimes()
    {
        var s = PriceFile.Parse("date,close\n20240101,100\n20240102,101\n", "x.csv", "BTC");
        Assert.That(s.Times[1], Is.EqualTo(new DateTimeOffset(2024, 1, 2, 0, 0, 0, TimeSpan.Zero)));
        var e = Assert.Throws<PriceFileException>(() => PriceFile.Parse("time,close\n12345,100\n12346,101\n", "x.csv", "BTC"))!;
        Assert.That(e.Message, Does.Contain("x.csv:2:1: time must be a date"));
    }

    [Test]
    public void ARepeatedTimeKeepsTheFirstRowAndIsCounted()
    {
        var s = PriceFile.Parse("date,close\n2025-01-01,100\n2025-01-02,101\n2025-01-02,999\n", "ETH_USDT_1d.csv");
        Assert.That((s.Closes.Length, s.Closes[1], s.Duplicates), Is.EqualTo((2, 101.0, 1)));
    }

    [TestCase("date,close\n2025-01-01,100\n2025-01-02,abc\n", "x.csv:3:2: close must be a positive number, got 'abc'")]
    [TestCase("date,close\n2025-01-01,100\n2025-01-02,-5\n", "x.csv:3:2: close must be a positive number")]
    [TestCase("date,close\n2025-01-01,100\nyesterday,101\n", "x.csv:3:1: date must be a date")]
    [TestCase("date,close\n2025-01-01,100\n2025-01-02\n", "x.csv:3: 1 columns, but the close column is column 2")]
    [TestCase("date,close\n2025-01-01,100\n", "x.csv: 1 price rows; at least 2 are needed")]
    [TestCase("a,b,c\n1,2,3\nx,y,z\n", "no header naming a time column")]
    public void BadFilesAreRefusedNamingTheLineAndColumn(string text, string message)
    {
        var e = Assert.Throws<PriceFileException>(() => PriceFile.Parse(text, "x.csv", "BTC"))!;
        Assert.That(e.Message, Does.Contain(message));
    }

    [Test]
    public void AFileWithoutASymbolAsksForOne()
    {
        var e = Assert.Throws<PriceFileException>(() => PriceFile.Parse("date,close\n2025-01-01,100\n2025-01-02,101\n", "prices.csv"))!;
        Assert.That(e.Message, Does.Contain("SYMBOL=FILE"));
    }

    /// <summary>The shared market data beside the repository, when it is there (docs/market-data.md).</summary>
    [Test]
    public void TheSharedDataFilesAreRead()
    {
        string dir = Path.Combine(Docs.DocsCodeTests.RepositoryRoot(), "..", "shared", "data");
        if (!Directory.Exists(dir)) Assert.Ignore($"no market data at {dir} (it is beside the repository on the development machines only)");
        var daily = PriceFile.Read(Path.Combine(dir, "daily", "Binance_BTCUSDT_d.csv"));
        Assert.That(daily.Symbol, Is.EqualTo("BTC"));
        Assert.That(daily.Spacing, Is.EqualTo(TimeSpan.FromDays(1)));
        Assert.That(daily.Times[0].Year, Is.EqualTo(2017));
        var hourly = PriceFile.Read(Path.Combine(dir, "hourly", "BTC_USDT_1h.csv"));
        Assert.That(hourly.Spacing, Is.EqualTo(TimeSpan.FromHours(1)));
        int crash = hourly.Times.IndexOf(new DateTimeOffset(2025, 10, 10, 21, 0, 0, TimeSpan.Zero));
        Assert.That(hourly.Closes[crash], Is.EqualTo(113500.1));
    }
}
