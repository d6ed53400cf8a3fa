// hnswlib peer harness for the VectorFlow peer comparison.
//
// Builds hnswlib's HierarchicalNSW (Debian's header-only libhnswlib-dev) over an fvecs file and
// measures it the way VectorFlow's AnnBenchmark measures every engine: per ef, one pass for
// recall@k and distance computations, then single-thread per-query latency repeated for
// --seconds, then QPS on --threads threads for --seconds. Prints the result as JSON on stdout
// (the shape of `vectorflow bench --json`) and progress on stderr.
//
// Built by bench/peers/setup with g++ -O3 -march=native, so the SIMD distance code hnswlib picks
// at compile time (AVX-512 where the CPU has it) is in use.
#include <hnswlib/hnswlib.h>
#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using Clock = std::chrono::steady_clock;

static double seconds_since(Clock::time_point t) {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

// Reads an fvecs/ivecs file: each record is an int32 dimension followed by that many 4-byte values.
template <typename T>
static std::vector<T> read_vecs(const std::string &path, int &dim, size_t &count) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path);
    in.seekg(0, std::ios::end);
    size_t bytes = in.tellg();
    in.seekg(0);
    int32_t d = 0;
    in.read(reinterpret_cast<char *>(&d), 4);
    if (d <= 0) throw std::runtime_error("bad dimension in " + path);
    size_t record = 4 + 4 * (size_t) d;
    if (bytes % record != 0) throw std::runtime_error("truncated file " + path);
    count = bytes / record;
    dim = d;
    std::vector<T> out(count * d);
    in.seekg(0);
    for (size_t i = 0; i < count; i++) {
        in.read(reinterpret_cast<char *>(&d), 4);
        in.read(reinterpret_cast<char *>(out.data() + i * dim), 4 * (size_t) dim);
    }
    return out;
}

struct Args {
    std::string base, queries, truth, dataset = "dataset", space = "l2";
    int m = 16, ef_construction = 100, k = 10, threads = 1;
    std::vector<int> efs = {10, 16, 32, 64, 128};
    double seconds = 1.0;
    size_t seed = 42;
    bool hugepages = true;
};

static Args parse(int argc, char **argv) {
    Args a;
    for (int i = 1; i < argc; i++) {
        std::string key = argv[i];
        if (i + 1 >= argc) throw std::runtime_error("missing value for " + key);
        std::string v = argv[++i];
        if (key == "--base") a.base = v;
        else if (key == "--queries") a.queries = v;
        else if (key == "--truth") a.truth = v;
        else if (key == "--dataset") a.dataset = v;
        else if (key == "--space") a.space = v;
        else if (key == "--m") a.m = std::stoi(v);
        else if (key == "--ef-construction") a.ef_construction = std::stoi(v);
        else if (key == "--k") a.k = std::stoi(v);
        else if (key == "--threads") a.threads = std::stoi(v);
        else if (key == "--seconds") a.seconds = std::stod(v);
        else if (key == "--seed") a.seed = std::stoul(v);
        else if (key == "--hugepages") a.hugepages = v != "0" && v != "false";
        else if (key == "--efs") {
            a.efs.clear();
            std::stringstream ss(v);
            std::string item;
            while (std::getline(ss, item, ',')) a.efs.push_back(std::stoi(item));
        } else throw std::runtime_error("unknown option " + key);
    }
    if (a.base.empty() || a.queries.empty() || a.truth.empty()) throw std::runtime_error("need --base, --queries and --truth");
    return a;
}

static double percentile(std::vector<double> &sorted, double p) {
    if (sorted.empty()) return 0;
    long idx = (long) std::ceil(p * sorted.size()) - 1;
    idx = std::max(0L, std::min((long) sorted.size() - 1, idx));
    return sorted[idx];
}

int main(int argc, char **argv) {
    try {
        Args a = parse(argc, argv);
        int dim, qdim, tk;
        size_t n, nq, nt;
        std::vector<float> base = read_vecs<float>(a.base, dim, n);
        std::vector<float> queries = read_vecs<float>(a.queries, qdim, nq);
        std::vector<int> truth = read_vecs<int>(a.truth, tk, nt);
        if (qdim != dim || nt != nq || tk < a.k) throw std::runtime_error("queries or truth do not match the base");

        hnswlib::SpaceInterface<float> *space;
        if (a.space == "l2") space = new hnswlib::L2Space(dim);
        else if (a.space == "ip") space = new hnswlib::InnerProductSpace(dim);
        else throw std::runtime_error("space must be l2 or ip");
        auto *index = new hnswlib::HierarchicalNSW<float>(space, n, a.m, a.ef_construction, a.seed);
        // The same 2 MiB pages VectorFlow asks for on its vectors and links: advise hnswlib's
        // level-0 block (links, vector and label per element) before anything is written to it,
        // so the comparison is not between huge pages and 4 KiB pages.
        if (a.hugepages) {
            const uintptr_t huge = 2u << 20;
            uintptr_t p = (uintptr_t) index->data_level0_memory_;
            uintptr_t end = p + n * index->size_data_per_element_;
            uintptr_t start = (p + huge - 1) & ~(huge - 1);
            if (end > start + huge) madvise((void *) start, (end - start) & ~(huge - 1), MADV_HUGEPAGE);
        }

        // Build: threads take the next vector in order; hnswlib's addPoint is thread-safe.
        std::atomic<size_t> next{0}, done{0};
        auto start = Clock::now();
        std::vector<std::thread> workers;
        for (int t = 0; t < a.threads; t++) {
            workers.emplace_back([&] {
                for (size_t i; (i = next.fetch_add(1)) < n;) {
                    index->addPoint(base.data() + i * dim, i);
                    done.fetch_add(1);
                }
            });
        }
        for (double reported = 0; done.load() < n;) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
            double s = seconds_since(start);
            if (s - reported >= 1.0) {
                reported = s;
                size_t d = done.load();
                fprintf(stderr, "hnswlib building: %zu%% (%zu/%zu) %.0f s, %.0f vectors/s\n", 100 * d / n, d, n, s, d / s);
            }
        }
        for (auto &w : workers) w.join();
        double build_seconds = seconds_since(start);

        // Memory as hnswlib allocates it: one level-0 block per element (links, vector, label)
        // plus the upper-level link lists.
        double bytes = (double) n * index->size_data_per_element_;
        for (size_t i = 0; i < n; i++) bytes += (double) index->element_levels_[i] * index->size_links_per_element_;
        double bytes_per_vector = bytes / n;
        fprintf(stderr, "hnswlib built %zu x %d in %.2f s, %.0f bytes/vector\n", n, dim, build_seconds, bytes_per_vector);

        auto search = [&](size_t qi, std::vector<size_t> &ids) {
            auto top = index->searchKnn(queries.data() + qi * dim, a.k);
            ids.resize(top.size());
            for (size_t i = top.size(); i-- > 0;) {
                ids[i] = top.top().second;
                top.pop();
            }
        };

        std::ostringstream rows;
        std::vector<size_t> ids;
        for (size_t e = 0; e < a.efs.size(); e++) {
            int ef = a.efs[e];
            index->setEf(ef);
            auto warm = Clock::now();
            while (seconds_since(warm) < 0.2)
                for (size_t q = 0; q < nq; q++) search(q, ids);

            index->metric_distance_computations = 0;
            double recall_sum = 0;
            for (size_t q = 0; q < nq; q++) {
                search(q, ids);
                int hits = 0;
                for (size_t i = 0; i < std::min(ids.size(), (size_t) a.k); i++)
                    for (int j = 0; j < a.k; j++)
                        if ((size_t) truth[q * tk + j] == ids[i]) { hits++; break; }
                recall_sum += hits / (double) a.k;
            }
            double dist_evals = index->metric_distance_computations.load() / (double) nq;

            std::vector<double> lat;
            auto t0 = Clock::now();
            do {
                for (size_t q = 0; q < nq; q++) {
                    auto s = Clock::now();
                    search(q, ids);
                    lat.push_back(std::chrono::duration<double, std::micro>(Clock::now() - s).count());
                }
            } while (seconds_since(t0) < a.seconds);
            double qps1 = lat.size() / seconds_since(t0);
            std::sort(lat.begin(), lat.end());

            double qps_all = qps1;
            if (a.threads > 1) {
                std::atomic<size_t> total{0};
                auto tstart = Clock::now();
                std::vector<std::thread> searchers;
                for (int t = 0; t < a.threads; t++) {
                    searchers.emplace_back([&, t] {
                        std::vector<size_t> local_ids;
                        size_t offset = t * std::max<size_t>(1, nq / a.threads), count = 0;
                        do {
                            for (size_t q = 0; q < nq; q++) search((q + offset) % nq, local_ids);
                            count += nq;
                        } while (seconds_since(tstart) < a.seconds);
                        total += count;
                    });
                }
                for (auto &s : searchers) s.join();
                qps_all = total.load() / seconds_since(tstart);
            }
            fprintf(stderr, "hnswlib ef=%d recall@%d=%.4f qps(1t)=%.0f\n", ef, a.k, recall_sum / nq, qps1);
            rows << (e ? ",\n" : "") << "    {\"ef\": " << ef << ", \"recall\": " << recall_sum / nq
                 << ", \"qps_1t\": " << qps1 << ", \"qps_all\": " << qps_all
                 << ", \"p50_us\": " << percentile(lat, 0.50) << ", \"p99_us\": " << percentile(lat, 0.99)
                 << ", \"p999_us\": " << percentile(lat, 0.999) << ", \"dist_evals\": " << dist_evals << "}";
        }
#if defined(USE_AVX512)
        std::string kernels = "hnswlib AVX-512 (g++ -O3 -march=native)";
#elif defined(USE_AVX)
        std::string kernels = "hnswlib AVX (g++ -O3 -march=native)";
#else
        std::string kernels = "hnswlib SSE (g++ -O3 -march=native)";
#endif
        if (a.hugepages) kernels += ", huge pages";
        printf("{\n  \"engine\": \"hnswlib\", \"dataset\": \"%s\", \"n\": %zu, \"dim\": %d, \"metric\": \"%s\",\n"
               "  \"m\": %d, \"ef_construction\": %d, \"threads\": %d, \"k\": %d,\n"
               "  \"build_seconds\": %.6f, \"bytes_per_vector\": %.3f, \"kernels\": \"%s\",\n  \"results\": [\n%s\n  ]\n}\n",
               a.dataset.c_str(), n, dim, a.space.c_str(), a.m, a.ef_construction, a.threads, a.k, build_seconds,
               bytes_per_vector, kernels.c_str(), rows.str().c_str());
        return 0;
    } catch (const std::exception &e) {
        fprintf(stderr, "hnswlib_bench: %s\n", e.what());
        return 2;
    }
}
