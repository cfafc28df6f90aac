#pragma once

#include "inventory/machine.h"

#include <QString>
#include <QStringList>

namespace mist {

// What the search looks at for one tree row (a cloud or a machine). SearchIndex stores it
// normalized (see normalized()); SearchQuery::matches() expects it normalized too.
struct SearchFields
{
    QString name;
    QString state;
    QString cloud;
    QString provider;
    QString kind;
    QString id;         // the provider's external id
    QString size;
    QString image;
    QString location;
    QString os;
    QStringList ips;    // public and private
    TagMap tags;        // provider and user tags together

    // Lowercased, with line breaks turned into spaces: the search is case-insensitive and the
    // index joins fields with '\n', so no field may contain one.
    SearchFields normalized() const
    {
        SearchFields n;
        n.name = normalizedText(name);
        n.state = normalizedText(state);
        n.cloud = normalizedText(cloud);
        n.provider = normalizedText(provider);
        n.kind = normalizedText(kind);
        n.id = normalizedText(id);
        n.size = normalizedText(size);
        n.image = normalizedText(image);
        n.location = normalizedText(location);
        n.os = normalizedText(os);
        n.ips.reserve(ips.size());
        for (const QString &ip : ips)
            n.ips.append(normalizedText(ip));
        for (auto it = tags.cbegin(); it != tags.cend(); ++it)
            n.tags.insert(normalizedText(it.key()), normalizedText(it.value()));
        return n;
    }

    // Also replaces broken UTF-16 (lone surrogates) with U+FFFD: the index runs regular
    // expressions over its texts without re-validating them every time.
    static QString normalizedText(const QString &text)
    {
        // Most values (states, ids, addresses, sizes) are lowercase ASCII already: shared, not
        // copied. Every state change re-indexes its row's fields.
        if (isPlainLowerAscii(text))
            return text;
        QString lower = text.toLower();
        if (lower.contains(QLatin1Char('\n')) || lower.contains(QLatin1Char('\r'))) {
            lower.replace(QLatin1Char('\n'), QLatin1Char(' '));
            lower.replace(QLatin1Char('\r'), QLatin1Char(' '));
        }
        if (!QStringView(lower).isValidUtf16())
            repairSurrogates(lower);
        return lower;
    }

    static bool isPlainLowerAscii(const QString &text)
    {
        for (const QChar c : text) {
            const char16_t u = c.unicode();
            if (u >= 0x80 || (u >= u'A' && u <= u'Z') || u == u'\n' || u == u'\r')
                return false;
        }
        return true;
    }

    static void repairSurrogates(QString &text)
    {
        for (qsizetype i = 0; i < text.size(); ++i) {
            const QChar c = text.at(i);
            if (c.isHighSurrogate() && i + 1 < text.size() && text.at(i + 1).isLowSurrogate())
                ++i;   // a valid pair
            else if (c.isSurrogate())
                text[i] = QChar::ReplacementCharacter;
        }
    }
};

} // namespace mist
