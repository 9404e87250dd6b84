//! Per-image and per-pixel prices: LiteLLM's `default_image_cost_calculator` for image generation.
//!
//! The table keys image models by size and quality (`1024-x-1024/dall-e-3`,
//! `hd/1024-x-1792/dall-e-3`, `azure/low/1024-x-1024/gpt-image-1`, ...). The first key found among
//! LiteLLM's candidates prices the call: `input_cost_per_image`, else `output_cost_per_image` (per
//! image), else `input_cost_per_pixel` (per pixel of every image).

use crate::error::{ErrorKind, LlmError};

use super::ModelRegistry;

/// What an image generation call asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageRequest<'a> {
    pub model: &'a str,
    /// `custom_llm_provider` (e.g. `azure`), when the model string carries it.
    pub provider: Option<&'a str>,
    /// `quality` (`hd`, `standard`, `low`, `medium`, `high`).
    pub quality: Option<&'a str>,
    /// Images returned (`n`, default 1).
    pub n: u64,
    /// `size`, `1024x1024` or `1024-x-1024` (default `1024-x-1024`).
    pub size: Option<&'a str>,
}

impl ModelRegistry {
    /// The cost of an image generation call in USD (LiteLLM's `default_image_cost_calculator`).
    /// A malformed size is a `BadRequestError`; no priced key a `NotFoundError`.
    pub fn image_generation_cost(&self, req: &ImageRequest<'_>) -> Result<f64, LlmError> {
        let mut size = req.size.unwrap_or("1024-x-1024").to_string();
        if size.contains('x') && !size.contains("-x-") {
            size = size.replace('x', "-x-");
        }
        let (height, width) = size
            .split_once("-x-")
            .and_then(|(h, w)| Some((h.trim().parse::<u64>().ok()?, w.trim().parse::<u64>().ok()?)))
            .ok_or_else(|| {
                LlmError::new(
                    ErrorKind::BadRequestError,
                    format!("invalid image size '{size}'"),
                )
            })?;
        let model = req.model;
        let mut base = format!("{size}/{model}");
        let mut without_provider: Option<String> = None;
        if let Some(p) = req.provider {
            if let Some(rest) = model.strip_prefix(p).and_then(|r| r.strip_prefix('/')) {
                base = format!("{p}/{size}/{rest}");
                without_provider = Some(rest.to_string());
            }
        }
        let with_quality = match req.quality {
            Some(q) => format!("{q}/{base}"),
            None => base.clone(),
        };
        let provider_first = match (req.quality, req.provider) {
            (Some(q), Some(p)) => Some(format!(
                "{p}/{q}/{size}/{}",
                without_provider.as_deref().unwrap_or(model)
            )),
            _ => None,
        };
        let v2 = format!("high/{base}");
        let last = model.rsplit('/').next().unwrap_or(model);
        let bare = format!("{size}/{last}");
        let bare_quality = match req.quality {
            Some(q) => format!("{q}/{bare}"),
            None => bare.clone(),
        };
        let candidates = [
            Some(with_quality),
            provider_first,
            Some(base),
            Some(v2),
            Some(bare_quality),
            Some(bare),
            Some(model.to_string()),
            without_provider,
        ];
        let info = candidates
            .iter()
            .flatten()
            .find_map(|c| self.exact_entry(c))
            .ok_or_else(|| {
                LlmError::new(
                    ErrorKind::NotFoundError,
                    format!("no image price for model '{model}'"),
                )
            })?;
        // Python multiplies exact integers before the one conversion to float; so does this.
        let n = req.n as f64;
        let pixels = u128::from(height)
            .saturating_mul(u128::from(width))
            .saturating_mul(u128::from(req.n)) as f64;
        let units = [
            ("input_cost_per_image", n),
            ("output_cost_per_image", n),
            ("input_cost_per_pixel", pixels),
        ];
        units
            .iter()
            .find_map(|(key, units)| info.price(key).map(|p| p * units))
            .ok_or_else(|| {
                LlmError::new(
                    ErrorKind::NotFoundError,
                    format!("no image price for model '{model}'"),
                )
            })
    }
}
