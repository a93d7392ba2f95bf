#!/usr/bin/env python3
"""Writes a tiny llama-architecture GGUF model with random weights, for tests.

Runs where Debian's python3-gguf and python3-numpy are installed (the local runner's chroot).
The model writes readable gibberish fast: every code path of a client is exercised, nothing is learned.

  make-tiny-model.py OUT.gguf [--seed N] [--ctx N]

- tokenizer: gpt2 byte-level BPE (256 byte tokens, a few merges, ChatML control tokens); a sentencepiece
  vocabulary makes grammar-constrained (JSON) requests fail with "Failed to initialize samplers"
- chat template: ChatML
- one embedding dimension is constant, and the output layer reads it to favour printable ASCII
"""
import argparse

import gguf
import numpy as np

EMBED, FFN, BLOCKS, HEADS = 64, 128, 2, 4
CONTROL = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
MERGES = ["t h", "Ġ t", "e r", "i n", "a n", "o n", "r e", "Ġ a"]
CHATML = ("{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
          "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")


def byte_tokens():
    """GPT-2's byte-to-unicode table: one printable character per byte."""
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    chars = keep[:]
    extra = 0
    for b in range(256):
        if b not in keep:
            keep.append(b)
            chars.append(256 + extra)
            extra += 1
    table = dict(zip(keep, chars))
    return [chr(table[b]) for b in range(256)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--ctx", type=int, default=4096)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)

    tokens = byte_tokens() + [m.replace(" ", "") for m in MERGES] + CONTROL
    types = [gguf.TokenType.NORMAL] * (len(tokens) - len(CONTROL)) + [gguf.TokenType.CONTROL] * len(CONTROL)
    vocab = len(tokens)
    eos = tokens.index("<|im_end|>")

    w = gguf.GGUFWriter(args.out, "llama")
    w.add_name("dmr-batch tiny test model (seed %d)" % args.seed)
    w.add_context_length(args.ctx)
    w.add_embedding_length(EMBED)
    w.add_block_count(BLOCKS)
    w.add_feed_forward_length(FFN)
    w.add_head_count(HEADS)
    w.add_head_count_kv(HEADS)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_rope_dimension_count(EMBED // HEADS)
    w.add_file_type(gguf.LlamaFileType.ALL_F32)
    w.add_vocab_size(vocab)
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("default")
    w.add_token_list(tokens)
    w.add_token_types(types)
    w.add_token_merges(MERGES)
    w.add_bos_token_id(tokens.index("<|endoftext|>"))
    w.add_eos_token_id(eos)
    w.add_eot_token_id(eos)
    w.add_add_bos_token(False)
    w.add_chat_template(CHATML)

    def weights(*shape):
        return (rng.standard_normal(shape) * 0.02).astype(np.float32)

    embedding = weights(vocab, EMBED)
    embedding[:, 0] = 1.0  # the constant dimension the output layer reads
    output = weights(vocab, EMBED) * 10
    printable = np.array([1.0 if 0x20 <= b < 0x7F else -1.0 for b in range(256)] + [-1.0] * (vocab - 256), np.float32)
    printable[eos] = -0.2  # ends now and then, so max_tokens is not always what stops an answer
    output[:, 0] = printable * 3

    w.add_tensor("token_embd.weight", embedding)
    w.add_tensor("output_norm.weight", np.ones(EMBED, np.float32))
    w.add_tensor("output.weight", output)
    for i in range(BLOCKS):
        w.add_tensor(f"blk.{i}.attn_norm.weight", np.ones(EMBED, np.float32))
        for name in ("q", "k", "v", "output"):
            w.add_tensor(f"blk.{i}.attn_{name}.weight", weights(EMBED, EMBED))
        w.add_tensor(f"blk.{i}.ffn_norm.weight", np.ones(EMBED, np.float32))
        w.add_tensor(f"blk.{i}.ffn_gate.weight", weights(FFN, EMBED))
        w.add_tensor(f"blk.{i}.ffn_up.weight", weights(FFN, EMBED))
        w.add_tensor(f"blk.{i}.ffn_down.weight", weights(EMBED, FFN))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


if __name__ == "__main__":
    main()
