using System.Buffers.Binary;
using System.Text;
using LoraLab.Engine.Training;
using LoraLab.Engine.Tests.Checkpoints;

namespace LoraLab.Engine.Tests.Training;

/// <summary>
/// Event files read back with TFRecord's own framing (length, masked CRC32C of it, data, masked CRC32C of it), the
/// records decoded by Google.Protobuf with the tensorflow.Event classes TorchSharp generates from event.proto.
/// </summary>
public sealed class TensorBoardEventFileTests
{
    /// <summary>Every record of a TFRecord file, each CRC checked.</summary>
    static List<byte[]> Records(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var records = new List<byte[]>();
        for (int at = 0; at < bytes.Length;)
        {
            var length = bytes.AsSpan(at, 8);
            Assert.Equal(BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 8, 4)), TensorBoardEventFile.MaskedCrc32C(length));
            int n = (int)BinaryPrimitives.ReadUInt64LittleEndian(length);
            var data = bytes.AsSpan(at + 12, n);
            Assert.Equal(BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 12 + n, 4)), TensorBoardEventFile.MaskedCrc32C(data));
            records.Add(data.ToArray());
            at += 12 + n + 4;
        }
        return records;
    }

    [Fact]
    public void Crc32c_gives_the_published_check_value() =>
        Assert.Equal(0xE3069283u, TensorBoardEventFile.Crc32C(Encoding.ASCII.GetBytes("123456789")));

    [Fact]
    public void Scalars_are_events_that_protobuf_decodes_after_the_file_version_record()
    {
        using var folder = new TemporaryFolder();
        string path;
        using (var events = new TensorBoardEventFile(folder.Path))
        {
            events.AddScalar("train/loss", 2.5, step: 1);
            events.AddScalar("eval/loss", 0.125, step: 3_000_000_000);
            path = events.Path;
        }

        var decoded = Records(path).Select(r => Tensorboard.Event.Parser.ParseFrom(r)).ToList();

        Assert.Equal("brain.Event:2", decoded[0].FileVersion);
        Assert.Equal([("train/loss", 2.5f, 1L), ("eval/loss", 0.125f, 3_000_000_000L)],
            decoded.Skip(1).Select(e => (e.Summary.Value.Single().Tag, e.Summary.Value.Single().SimpleValue, e.Step)));
        double now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.All(decoded, e => Assert.InRange(e.WallTime, now - 60, now + 1));   // seconds since the epoch, as TensorBoard plots them
        Assert.StartsWith("events.out.tfevents.", Path.GetFileName(path));
    }

    [Fact]
    public void The_record_reader_accepts_what_torchsharps_own_summary_writer_writes()
    {
        using var folder = new TemporaryFolder();
        var writer = TorchSharp.torch.utils.tensorboard.SummaryWriter(folder.Path);
        writer.add_scalar("x", 1.5f, 7);

        var records = Records(Directory.GetFiles(folder.Path).Single());

        Assert.Equal(7, Tensorboard.Event.Parser.ParseFrom(records[^1]).Step);
    }

    [Fact]
    public void A_run_logs_each_step_and_evaluation_under_transformers_tags()
    {
        using var folder = new TemporaryFolder();
        var seen = new List<TrainingEvent>();
        using (var log = new TensorBoardLog(folder.Path, new Progress(seen)))
        {
            log.Report(new StepEvent(1, 2, 0.5, 3.0, 1e-4, 0.7, false, 100, TimeSpan.Zero, null, 0));
            log.Report(new StepEvent(2, 2, 1.0, 2.0, 5e-5, 0.6, Skipped: true, 100, TimeSpan.Zero, null, 0));
            log.Report(new EvaluationEvent(2, 1.5, Math.Exp(1.5), 10, true));
        }

        var tags = Records(Directory.GetFiles(folder.Path).Single()).Skip(1).Select(r => Tensorboard.Event.Parser.ParseFrom(r))
            .Select(e => (e.Summary.Value.Single().Tag, e.Step)).ToList();

        Assert.Equal(3, seen.Count);
        Assert.Contains(("train/loss", 1L), tags);
        Assert.Contains(("train/learning_rate", 1L), tags);
        Assert.Contains(("eval/loss", 2L), tags);
        Assert.DoesNotContain(tags, t => t.Tag == "train/loss" && t.Step == 2);   // a skipped step (non-finite gradients) is not a point
    }

    sealed class Progress(List<TrainingEvent> seen) : IProgress<TrainingEvent>
    {
        public void Report(TrainingEvent value) => seen.Add(value);
    }
}
