namespace LoraLab.Web.Tests;

/// <summary>A throw-away LoraLab data folder with model folders written by the test.</summary>
public sealed class TempDataFolder : IDisposable
{
    /// <summary>
    /// SmolLM2-135M's published config.json (trimmed to the fields the engine reads): 134,515,008 parameters,
    /// which the model's name rounds to 135M.
    /// </summary>
    public const string SmolLm2Config = """
        {
          "architectures": ["LlamaForCausalLM"], "hidden_act": "silu", "vocab_size": 49152,
          "hidden_size": 576, "intermediate_size": 1536, "num_hidden_layers": 30,
          "num_attention_heads": 9, "num_key_value_heads": 3, "max_position_embeddings": 8192,
          "rms_norm_eps": 1e-05, "rope_theta": 100000, "tie_word_embeddings": true, "torch_dtype": "bfloat16"
        }
        """;

    /// <summary>A config.json that lacks the required field vocab_size.</summary>
    public const string ConfigWithoutVocabSize = """
        { "architectures": ["LlamaForCausalLM"], "hidden_size": 64, "intermediate_size": 128,
          "num_hidden_layers": 2, "num_attention_heads": 4 }
        """;

    public string Path { get; } = Directory.CreateTempSubdirectory("loralab-web-tests-").FullName;

    public string ModelsFolder => System.IO.Path.Combine(Path, "models");

    /// <summary>Writes {DataPath}/models/{name}/config.json and returns the model folder.</summary>
    public string AddModel(string name, string configJson) => WriteModelFolder(System.IO.Path.Combine(ModelsFolder, name), configJson);

    /// <summary>Writes a model folder outside {DataPath}/models, as LoraLab:ModelFolders would point to.</summary>
    public string AddOutsideFolder(string name, string? configJson)
    {
        string folder = System.IO.Path.Combine(Path, "elsewhere", name);
        return configJson is null ? Directory.CreateDirectory(folder).FullName : WriteModelFolder(folder, configJson);
    }

    static string WriteModelFolder(string folder, string configJson)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(System.IO.Path.Combine(folder, "config.json"), configJson);
        return folder;
    }

    // WebApplicationFactory disposes its fixtures both synchronously and asynchronously.
    public void Dispose()
    {
        if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
    }
}
