/**
 * Helper of test_segmentation.py: reads {"images": [{"samples": [...], "classes": k}]} from stdin and
 * prints, per image, the 256-bin histogram's binning and the thresholds (bin indices and grey values) that
 * core/segmentation's otsu / multiOtsu give. Run with `npx tsx test/python/segmentation_thresholds.ts`.
 */
import { readFileSync } from 'node:fs'
import { histogram, multiOtsu, otsu, thresholdValue } from '../../src/core/segmentation'

const input = JSON.parse(readFileSync(0, 'utf8')) as { images: { samples: number[]; classes: number }[] }
const out = input.images.map(({ samples, classes }) => {
  const h = histogram(samples)
  const bins = classes === 2 ? [otsu(h.counts)] : multiOtsu(h.counts, classes)
  return {
    lo: h.lo,
    width: h.width,
    integer8: h.integer8,
    bins,
    values: bins.map((k) => thresholdValue(k, h)),
  }
})
process.stdout.write(JSON.stringify(out))
