using Exchange.Storage.Stores;

namespace Exchange.Storage.Tests.Stores;

public sealed class SleepingQueueTests
{
    [Fact]
    public void Items_are_taken_in_the_order_they_were_added()
    {
        using var queue = new SleepingQueue<int>();
        Assert.True(queue.TryAdd(1));
        Assert.True(queue.TryAdd(2));

        Assert.True(queue.TryTake(out var first, wait: false));
        Assert.True(queue.TryTake(out var second, wait: false));

        Assert.Equal((1, 2), (first, second));
        Assert.False(queue.TryTake(out _, wait: false));
    }

    [Fact]
    public async Task A_sleeping_consumer_wakes_for_an_item_added_later()
    {
        using var queue = new SleepingQueue<string>();
        var taken = Task.Factory.StartNew(() => queue.TryTake(out var item, wait: true) ? item : null, TestContext.Current.CancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.False(taken.IsCompleted);

        queue.TryAdd("entry");

        Assert.Equal("entry", await taken.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Completing_lets_the_consumer_take_what_is_left_and_then_stop()
    {
        using var queue = new SleepingQueue<int>();
        queue.TryAdd(7);
        queue.CompleteAdding();

        Assert.False(queue.TryAdd(8));
        Assert.True(queue.TryTake(out var left, wait: true));
        Assert.Equal(7, left);
        var done = Task.Factory.StartNew(() => queue.TryTake(out _, wait: true), TestContext.Current.CancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Assert.False(await done.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task No_item_is_lost_or_taken_twice_when_producers_race_a_sleeping_consumer()
    {
        const int Producers = 4;
        const int PerProducer = 20_000;
        using var queue = new SleepingQueue<int>();
        var seen = new bool[Producers * PerProducer];
        var consumer = Task.Factory.StartNew(() =>
        {
            var count = 0;
            while (queue.TryTake(out var item, wait: true))
            {
                Assert.False(seen[item], $"item {item} was taken twice");
                seen[item] = true;
                count++;
            }

            return count;
        }, TestContext.Current.CancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        // Producers pause now and then, so the consumer often finds the queue empty and sleeps.
        await Task.WhenAll(Enumerable.Range(0, Producers).Select(p => Task.Run(async () =>
        {
            for (var i = 0; i < PerProducer; i++)
            {
                queue.TryAdd((p * PerProducer) + i);
                if (i % 1000 == 0)
                {
                    await Task.Delay(1);
                }
            }
        })));
        queue.CompleteAdding();

        Assert.Equal(Producers * PerProducer, await consumer.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
        Assert.All(seen, Assert.True);
    }
}
