#pragma once

#include <QCoreApplication>
#include <QMetaObject>
#include <QPointer>
#include <QWidget>

#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <mutex>

namespace mist {

// Asks the user something from a worker thread (an SSH connect that meets an unknown host
// key or needs a password) without blocking the GUI: `show` runs on the GUI thread, opens a
// non-modal-to-the-app dialog and calls `answer` once; the worker waits for that answer.
// If the GUI goes away or nobody answers within `timeout`, the result is `fallback`.
template <typename T>
T askOnGuiThread(QPointer<QWidget> parent, std::function<void(QWidget *parent, std::function<void(T)> answer)> show,
                 T fallback, std::chrono::minutes timeout = std::chrono::minutes(10))
{
    auto promise = std::make_shared<std::promise<T>>();
    auto once = std::make_shared<std::once_flag>();
    auto answer = [promise, once](T value) { std::call_once(*once, [&] { promise->set_value(std::move(value)); }); };
    std::future<T> result = promise->get_future();
    QMetaObject::invokeMethod(QCoreApplication::instance(), [parent, show, answer, fallback] {
        if (!parent) {
            answer(fallback);
            return;
        }
        show(parent, answer);
    }, Qt::QueuedConnection);
    if (result.wait_for(timeout) != std::future_status::ready)
        return fallback;
    return result.get();
}

} // namespace mist
