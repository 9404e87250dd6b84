//! Native cost of the stream path per chunk: SSE framing alone, OpenAI chunk decoding, and the
//! whole pipeline (decode + normalise + assemble). `cargo bench --bench stream_native`.
use std::time::Instant;

use unillm::provider::openai::OpenAiStream;
use unillm::stream::sse::SseDecoder;
use unillm::stream::{ChunkDecoder, PipelineConfig, StreamPipeline};

fn body(n: usize) -> Vec<u8> {
    let mut s = String::new();
    for i in 0..n {
        s.push_str(&format!(
            "data: {{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"gpt-4o-mini\",\"service_tier\":\"default\",\"system_fingerprint\":\"fp_bench\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\" word{}\"}},\"logprobs\":null,\"finish_reason\":null}}]}}\n\n",
            i % 100
        ));
    }
    s.push_str("data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");
    s.into_bytes()
}

fn time(name: &str, n: usize, mut f: impl FnMut()) {
    let mut best = f64::MAX;
    for _ in 0..15 {
        let t = Instant::now();
        f();
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!("{name:<28} {:>7.3} us/chunk  ({:.0} chunks/s)", best * 1e6 / n as f64, n as f64 / best);
}

fn main() {
    const N: usize = 5000;
    let body = body(N);
    let pieces: Vec<&[u8]> = body.chunks(16 * 1024).collect();
    time("sse framing", N, || {
        let mut d = SseDecoder::new();
        let mut ev = Vec::new();
        for p in &pieces {
            d.feed(p, &mut ev).ok();
            ev.clear();
        }
    });
    time("openai decoder", N, || {
        let mut d = OpenAiStream::default();
        let mut out = Vec::new();
        for p in &pieces {
            d.feed(p, &mut out).ok();
            out.clear();
        }
    });
    time("pipeline + json out", N, || {
        let mut p = StreamPipeline::new(Box::new(OpenAiStream::default()), PipelineConfig::default());
        let mut out = Vec::new();
        let mut s = String::new();
        for piece in &pieces {
            p.feed(piece, &mut out).ok();
            for c in &out {
                c.write_json(&mut s).ok();
            }
            out.clear();
            s.clear();
        }
    });
}
