using LoraLab.Engine.Export.Gguf;

namespace LoraLab.Engine.Tests.Export;

public sealed class OllamaModelfileTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("modelfile-").FullName;

    [Fact]
    public void A_chatml_model_gets_a_go_template_its_end_of_turn_and_eos_stops_and_its_sampling_defaults()
    {
        string demo = Path.Combine(RepositoryFolder.Root, "src", "LoraLab.Demo", "model");
        foreach (string file in Directory.GetFiles(demo, "*.json")) File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        File.WriteAllText(Path.Combine(folder, "generation_config.json"), """{"temperature": 0.7, "top_p": 0.9, "top_k": 40, "repetition_penalty": 1.1}""");

        string modelfile = OllamaModelfile.Build("demo.gguf", folder, adapterFileName: "pirate.gguf");

        Assert.Equal(
            "FROM ./demo.gguf\nADAPTER ./pirate.gguf\n" +
            "TEMPLATE \"\"\"{{- range .Messages }}<|im_start|>{{ .Role }}\n{{ .Content }}<|im_end|>\n{{ end }}<|im_start|>assistant\n\"\"\"\n" +
            "PARAMETER stop \"<|im_end|>\"\nPARAMETER stop \"<|endoftext|>\"\n" +
            "PARAMETER temperature 0.7\nPARAMETER top_p 0.9\nPARAMETER top_k 40\nPARAMETER repeat_penalty 1.1\n",
            modelfile);
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);
}
